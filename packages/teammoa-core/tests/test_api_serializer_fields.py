"""The API's model serializers introspect their model once per class, not per request."""

from __future__ import annotations

import pytest
from rest_framework import serializers

from teammoa.core.api import serializers as s
from teammoa.core.testing.factories import make_team


def test_fields_are_built_once_per_class_and_copied_per_serializer(monkeypatch):
    built = []
    original = serializers.ModelSerializer.get_fields

    def counting(self):
        built.append(type(self))
        return original(self)

    monkeypatch.setattr(serializers.ModelSerializer, "get_fields", counting)
    monkeypatch.delattr(s.TodoSerializer, "_teammoa_built_fields", raising=False)

    first, second = s.TodoSerializer(), s.TodoSerializer()

    assert list(first.fields) == list(second.fields)
    assert built == [s.TodoSerializer]
    # Each serializer binds its own copies.
    assert first.fields["content"] is not second.fields["content"]
    assert first.fields["content"].parent is first


@pytest.mark.django_db
def test_a_cached_serializer_gives_what_drf_gives():
    team = make_team()
    team.my_role = "host"
    team.member_count = 1
    cached = s.TeamSerializer(team).data

    class Plain(serializers.ModelSerializer):
        member_count = serializers.IntegerField(read_only=True)
        my_role = serializers.SerializerMethodField()
        invite_code = serializers.SerializerMethodField()
        get_my_role = s.TeamSerializer.get_my_role
        get_invite_code = s.TeamSerializer.get_invite_code

        class Meta(s.TeamSerializer.Meta):
            pass

    assert cached == Plain(team).data
    assert s.TeamSerializer(team).data == cached
