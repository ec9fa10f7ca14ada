from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.crypto import lookup_hash
from kernel.net import client_ip
from kernel.throttling import KeyedThrottle, RateLimitedError

from . import login_limits, mfa
from .services import credentials_check, token_issue


class LoginEmailThrottle(KeyedThrottle):
    """Attempts per submitted email, so one school's shared address is not what is limited."""

    scope = "login_email"

    def ident(self, request, view):
        data = request.data
        email = str(data.get("email", "")).strip().lower() if hasattr(data, "get") else ""
        return lookup_hash(email) if email else None


class LoginFailureThrottle(KeyedThrottle):
    """The email's failed logins, shared with the login page (accounts.login_limits): counts
    nothing here (a failure is counted where the password is checked), refuses once the email
    reached its limit."""

    scope = "login_email"

    def allow_request(self, request, view):
        data = request.data
        email = str(data.get("email", "")) if hasattr(data, "get") else ""
        try:
            login_limits.failures_check(request._request, email)
        except RateLimitedError as limited:
            raise Throttled(wait=limited.wait, detail=login_limits.message(limited.wait)) from None
        return True


class LoginAddressThrottle(KeyedThrottle):
    """A high ceiling per network address (a school shares one), against bulk guessing."""

    scope = "login_address"

    def ident(self, request, view):
        return client_ip(request._request)


def _messages():
    return serializers.ListField(child=serializers.CharField(), required=False)


class DetailSerializer(serializers.Serializer):
    """A refused login: a readable ``detail``, or per field what is wrong with the input."""

    detail = serializers.CharField(required=False)
    email = _messages()
    password = _messages()
    otp = _messages()
    non_field_errors = _messages()

    class Meta:
        ref_name = "LoginProblem"


class TokenLoginApi(APIView):
    """Exchange an email and password for an API token. Open to anyone; throttled."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginEmailThrottle, LoginFailureThrottle, LoginAddressThrottle]

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=256, trim_whitespace=False)
        otp = serializers.CharField(
            max_length=20,
            required=False,
            allow_blank=True,
            help_text="Staff, when MFA is on: the code of the authenticator app or a backup code.",
        )

        class Meta:
            ref_name = "TokenLoginRequest"

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()

        class Meta:
            ref_name = "TokenLoginResponse"

    @extend_schema(
        operation_id="auth_token_create",
        request=InputSerializer,
        responses={200: OutputSerializer, 400: DetailSerializer, 429: DetailSerializer},
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = credentials_check(
            request=request._request, email=data["email"], password=data["password"]
        )
        if user is not None and mfa.needed_for(user):
            if not mfa.is_enrolled(user):
                return Response(
                    {
                        "detail": _(
                            "Set up your authenticator app first: log in once in the browser."
                        )
                    },
                    status=status.HTTP_400_BAD_REQUEST,
                )
            if mfa.code_check(user=user, code=data.get("otp", "")) is None:
                user = None
        if user is None:
            # One answer for every failure, so it tells nothing about which part was wrong.
            message = (
                _("The email address, password or code is not correct.")
                if settings.MFA_REQUIRED
                else _("The email address or password is not correct.")
            )
            return Response({"detail": message}, status=status.HTTP_400_BAD_REQUEST)
        label = request.META.get("HTTP_USER_AGENT", "")
        return Response({"token": token_issue(user=user, label=label)})


class ApiTokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    # A declared field leaves the class (the serializer's metaclass collects it), so it may
    # take the name of a Field attribute; the stubs cannot see that.
    label = serializers.CharField(help_text="The program that logged in (its user agent).")  # type: ignore[assignment]
    client = serializers.CharField(help_text='The program in words ("Firefox on Windows").')
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    current = serializers.BooleanField(help_text="The token this request was made with.")

    class Meta:
        ref_name = "ApiToken"


class ApiTokenListApi(APIView):
    """Everyone logged in: their own API tokens that still work. Never anyone else's."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="auth_tokens_list", responses=ApiTokenSerializer(many=True))
    def get(self, request):
        from .selectors import api_tokens_of

        current = getattr(request.auth, "pk", None)
        return Response(
            [
                {
                    "id": token.pk,
                    "label": token.label,
                    "client": token.client,
                    "created_at": token.created_at,
                    "expires_at": token.expires_at,
                    "last_used_at": token.last_used_at,
                    "current": token.pk == current,
                }
                for token in api_tokens_of(request.user)
            ]
        )


class ApiTokenRevokeApi(APIView):
    """Everyone logged in: end one of their own tokens (204); someone else's, an ended or a
    missing token answers 404."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="auth_tokens_destroy", request=None, responses={204: None})
    def delete(self, request, token_id):
        from .selectors import api_token_for_owner
        from .tokens import api_token_revoke

        token = api_token_for_owner(user=request.user, token_id=token_id)
        api_token_revoke(user=request.user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)
