"""allauth's messages whose Korean (allauth's own catalog) writes a particle in both forms,
"을(를)", "(으)로", "이(가)", or spaced off the value it follows ("%(email)s 으로"), or
"로그인 하다" apart: listed here so the site's catalog (which wins over allauth's)
carries a rephrased Korean for each. Nothing imports this module; ``makemessages`` reads
it, and ``tests/test_i18n.py`` checks that every such allauth message is covered.
"""

from django.utils.translation import gettext_noop

MESSAGES = [
    gettext_noop("Marked {email} as verified."),
    gettext_noop("Failed to mark {email} as verified."),
    gettext_noop('No request token saved for "%s".'),
    gettext_noop('No access token saved for "%s".'),
    gettext_noop(
        "We've sent a code to %(recipient)s. The code expires shortly, so please enter it soon."
    ),
    gettext_noop("Your email has been changed from %(from_email)s to %(to_email)s."),
    gettext_noop("Email address %(deleted_email)s has been removed from your account."),
    gettext_noop("A sign-in code has been sent to %(recipient)s."),
    gettext_noop("A verification code has been sent to %(phone)s."),
    gettext_noop("You have verified phone number %(phone)s."),
    gettext_noop("%(client_name)s wants to access your %(site_name)s account."),
    gettext_noop("Confirmation email sent to %(email)s."),
    gettext_noop("You have confirmed %(email)s."),
    gettext_noop("Removed email address %(email)s."),
    gettext_noop("Successfully signed in as %(name)s."),
    gettext_noop("You are already logged in as %(user_display)s."),
    gettext_noop("An error occurred while attempting to login via your third-party account."),
    gettext_noop(
        "You are about to use your %(provider_name)s account to login to\n"
        "%(site_name)s. As a final step, please complete the following form:"
    ),
]

# allauth's Korean for these is a word the site does not use ("Edit" is "변경" there), and
# allauth comes before the TeamMoa apps in INSTALLED_APPS, so its catalog would win over
# theirs on every page (the post's and the comments' "Edit" buttons): the site's says "수정".
SHADOWED = [
    gettext_noop("Edit"),
]
