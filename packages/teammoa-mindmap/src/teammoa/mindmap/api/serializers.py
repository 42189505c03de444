"""Shapes of the mindmap API, for rendering and for the OpenAPI schema.

Input is validated by the services (the same rules as over the WebSocket); the input
serializers here only document the request bodies.
"""

from __future__ import annotations

from rest_framework import serializers


class MindmapSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField()
    version = serializers.IntegerField(read_only=True)
    # Only in the list (not after create or rename). Not read_only: drf-spectacular marks
    # every read-only field required, and a response without it then breaks the schema.
    node_count = serializers.IntegerField(required=False)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class MindmapTitleSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=64)


class NodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    content = serializers.CharField(allow_blank=True)
    x = serializers.IntegerField()
    y = serializers.IntegerField()
    created_by = serializers.IntegerField(allow_null=True)
    recommendations = serializers.IntegerField()
    recommended_by_me = serializers.BooleanField()
    comment_count = serializers.IntegerField()
    version = serializers.IntegerField(required=False)


class NodeCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=64)
    content = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    x = serializers.IntegerField(min_value=0)
    y = serializers.IntegerField(min_value=0)


class NodeUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, max_length=64)
    content = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    x = serializers.IntegerField(required=False, min_value=0)
    y = serializers.IntegerField(required=False, min_value=0)


class ConnectionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    source = serializers.IntegerField()
    target = serializers.IntegerField()
    # Only in the answer to a create, not in snapshots (see MindmapSerializer.node_count).
    version = serializers.IntegerField(required=False)


class SnapshotMindmapSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    version = serializers.IntegerField()


class SnapshotSerializer(serializers.Serializer):
    mindmap = SnapshotMindmapSerializer()
    version = serializers.IntegerField()
    nodes = NodeSerializer(many=True)
    connections = ConnectionSerializer(many=True)


class AuthorSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    name = serializers.CharField()


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    node = serializers.IntegerField(read_only=True)
    author = AuthorSerializer(read_only=True, allow_null=True)
    author_name = serializers.CharField(read_only=True)
    text = serializers.CharField(max_length=2000)
    created_at = serializers.DateTimeField(read_only=True)


class RecommendationSerializer(serializers.Serializer):
    node = serializers.IntegerField()
    count = serializers.IntegerField()
    on = serializers.BooleanField()
    version = serializers.IntegerField()


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="A JSON export (multipart).")
    title = serializers.CharField(required=False, help_text="Overrides the exported title.")
