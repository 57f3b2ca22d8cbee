"""The OpenAPI schema, generated once per process.

Generating it walks every API view and serializer (2.4 MB of schema: 4 s a request at
load 5 on the shared machine), and Swagger UI asks for it on every visit to the API
documentation: under load the page was still empty after 10 s. It is served public (the
same for everyone: what it says depends on the code, not on who asks; the served
schema was compared with one generated without a request), so it is kept by the
process under its API version and only a deployment, which restarts the processes,
changes it."""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response

from borough.core.perf.cache import LocalCache

_schemas = LocalCache("openapi-schemas", size=4)


class SchemaView(SpectacularAPIView):
    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)

        def build():
            generator = self.generator_class(urlconf=self.urlconf, api_version=version,
                                             patterns=self.patterns)
            return generator.get_schema(request=None, public=self.serve_public)

        schema = _schemas.get_or_build((version, self.urlconf, self.serve_public), build)
        return Response(data=schema, headers={
            "Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'})
