from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from borough.core.ids import INT64_MAX, parse_id


class Pagination(PageNumberPagination):
    """`?page=N&page_size=M`: whole numbers from 1 (anything else is a 400 naming the
    parameter, not a page that silently falls back), or `page=last`; a page past the last
    is a 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        words = {self.page_query_param: self.last_page_strings, self.page_size_query_param: ()}
        for name, allowed in words.items():
            value = request.query_params.get(name)
            if value and value not in allowed and parse_id(value) is None:
                raise ValidationError({name: [f"Enter a whole number from 1 to {INT64_MAX}."]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(minimum=1, maximum=INT64_MAX)
        return parameters
