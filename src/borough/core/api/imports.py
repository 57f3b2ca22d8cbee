"""Imports and background tasks over the API: upload a file (its preview comes back),
read the upload's progress and preview, confirm it; read one's own background tasks.
The same services as the pages (core.importing), so the same checks and messages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.response import Response

from borough.core import background, importing, imports
from borough.core.api.permissions import ModelRolePermission
from borough.core.importers import ImportMode, count_text, importer_for
from borough.core.models import BackgroundTask, ImportUpload


class TaskProgressSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="queued, running, succeeded or failed.")
    done = serializers.IntegerField(help_text="Rows (or items) done so far.")
    total = serializers.IntegerField()


class BackgroundTaskSerializer(serializers.ModelSerializer):
    done = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()

    class Meta:
        model = BackgroundTask
        fields = ["id", "name", "title", "status", "done", "total", "outcome", "errors",
                  "created_at", "started_at", "finished_at", "url"]
        read_only_fields = fields

    def get_done(self, task) -> int:
        return background.current(task)[0]

    def get_total(self, task) -> int:
        return background.current(task)[1]


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row number as the spreadsheet shows it "
                                   "(the headings are row 1; 0: the file as a whole).")
    column = serializers.CharField(help_text="The column's heading as in the file.")
    message = serializers.CharField(help_text="What is wrong and how to fix it.")


class ChangeSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row number as the spreadsheet shows it.")
    column = serializers.CharField(help_text="The column's heading as in the file.")
    before = serializers.CharField(help_text="The record's value now, as its page shows it "
                                   "(empty: blank).")
    after = serializers.CharField(help_text="Its value after the import.")


class ImportUploadSerializer(serializers.ModelSerializer):
    page = serializers.SerializerMethodField(help_text="The upload's page on the site.")
    to_add = serializers.SerializerMethodField(help_text="What the import would add, "
                                               "in words.")
    counts = serializers.SerializerMethodField(help_text="What the import would add: "
                                               "model -> records.")
    headings = serializers.SerializerMethodField()
    preview = serializers.SerializerMethodField(help_text="The first rows as they will be "
                                                "saved: the row number, then a value "
                                                "for each heading.")
    errors = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    can_confirm = serializers.SerializerMethodField()
    added = serializers.SerializerMethodField(help_text="What the import saved: model -> "
                                              "records.")
    mode = serializers.SerializerMethodField(help_text="add (new rows only) or update (add "
                                             "and update the records rows match).")
    changed = serializers.SerializerMethodField(help_text="Records the import would change "
                                                "(has changed, once imported): model -> "
                                                "records.")
    unchanged = serializers.SerializerMethodField(help_text="Records rows match that the "
                                                  "import leaves as they are: model -> "
                                                  "records.")
    summary = serializers.SerializerMethodField(help_text="What the import would do, in "
                                                "words: “add 12 configuration items, change "
                                                "5 and leave 8 unchanged”.")
    changes = serializers.SerializerMethodField()
    change_count = serializers.SerializerMethodField(help_text="How many field changes in "
                                                     "all (changes lists the first 1,000).")

    class Meta:
        model = ImportUpload
        fields = ["id", "page", "importer", "options", "file_name", "size", "sha256", "rows",
                  "status", "mode", "can_confirm", "counts", "to_add", "changed",
                  "unchanged", "summary", "changes", "change_count", "headings", "preview",
                  "errors", "error_count", "added", "progress", "created_at", "checked_at",
                  "imported_at"]
        read_only_fields = fields

    def get_page(self, row) -> str:
        return reverse("core:import_detail", args=[row.pk])

    def get_counts(self, row) -> dict[str, int]:
        return dict((row.preview or {}).get("counts", []))

    def get_added(self, row) -> dict[str, int]:
        return dict(row.added or [])

    def get_to_add(self, row) -> str:
        return count_text(self.get_counts(row)) if row.preview else ""

    def get_mode(self, row) -> str:
        return (row.options or {}).get("mode", "add")

    def get_changed(self, row) -> dict[str, int]:
        return dict((row.preview or {}).get("changed", []))

    def get_unchanged(self, row) -> dict[str, int]:
        return dict((row.preview or {}).get("unchanged", []))

    def get_summary(self, row) -> str:
        return importing.preview_text(row.preview) if row.preview else ""

    @extend_schema_field(ChangeSerializer(many=True))
    def get_changes(self, row) -> list[dict]:
        return ChangeSerializer([{"row": r, "column": c, "before": b, "after": a}
                                 for r, c, b, a in (row.preview or {}).get("changes", [])],
                                many=True).data

    def get_change_count(self, row) -> int:
        return (row.preview or {}).get("change_count", 0)

    def get_headings(self, row) -> list[str]:
        return (row.preview or {}).get("headings", [])

    def get_preview(self, row) -> list[list[str]]:
        return [[str(v) for v in r] for r in (row.preview or {}).get("rows", [])]

    @extend_schema_field(RowErrorSerializer(many=True))
    def get_errors(self, row) -> list[dict]:
        return RowErrorSerializer([{"row": r, "column": c, "message": m}
                                   for r, c, m in row.errors], many=True).data

    @extend_schema_field(TaskProgressSerializer(allow_null=True))
    def get_progress(self, row) -> dict | None:
        if row.task is None:
            return None
        done, total = background.current(row.task)
        return {"status": row.task.status, "done": done, "total": total}

    def get_can_confirm(self, row) -> bool:
        return row.status == "checked" and not row.error_count


class ImportCreateSerializer(serializers.Serializer):
    importer = serializers.CharField(max_length=100, help_text="What to import: a model as "
                                     "app.model (organisation.serviceunit, "
                                     "cmdb.configurationitem, cmdb.relationship) or "
                                     "cmdb.systems-return.")
    file = serializers.FileField(help_text="CSV in UTF-8 or an .xlsx workbook.")
    options = serializers.JSONField(required=False, help_text='The importer\'s options, '
                                    'as on its page: {"ci_class": 3} imports one CI class.')
    mode = serializers.ChoiceField(choices=ImportMode.CHOICES, required=False, help_text=(
        "add: a row that matches an existing record is a problem; update: it changes that "
        "record. Only for importers that can match rows (the default is the importer's: "
        "update for cmdb.systems-return, add elsewhere)."))


class ImportConfirmSerializer(serializers.Serializer):
    sha256 = serializers.CharField(max_length=64, help_text="The upload's sha256, as its "
                                   "preview gave it: the import runs only on that file.")


def _api_error(exc: ValidationError) -> serializers.ValidationError:
    return serializers.ValidationError({"non_field_errors": exc.messages})


class ImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    viewsets.GenericViewSet):
    """The caller's uploads: upload (the preview comes back), read, confirm."""

    permission_classes = [ModelRolePermission]
    # Anyone may keep uploads; what they may import is the imported model's add
    # permission, checked by core.importing (403 with the reason).
    action_permissions = {"create": "view", "confirm": "view"}
    serializer_class = ImportUploadSerializer
    queryset = ImportUpload.objects.none()

    def get_queryset(self):
        return (ImportUpload.objects.visible_to(self.request.user).select_related("task")
                .defer("content"))

    @extend_schema(request={"multipart/form-data": ImportCreateSerializer},
                   responses={201: ImportUploadSerializer},
                   summary="Upload a spreadsheet to import",
                   description="The file is checked and kept; nothing is saved. The answer "
                               "is its preview (or, for a big file, its progress: read it "
                               "again until status is checked). Confirm it to import.")
    def create(self, request, *args, **kwargs):
        data = ImportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        importer = importer_for(data.validated_data["importer"])
        if importer is None:
            raise serializers.ValidationError(
                {"importer": ["Borough cannot import that. Use app.model of a model with an "
                              "import page, or cmdb.systems-return."]})
        options = data.validated_data.get("options") or {}
        if not isinstance(options, dict):
            raise serializers.ValidationError({"options": ["Give the options as an object."]})
        if data.validated_data.get("mode"):
            options = {**options, "mode": data.validated_data["mode"]}
        options, problems = importer.clean_options(options, user=request.user)
        if problems:
            raise serializers.ValidationError({"options": problems})
        try:
            row = importing.upload(importer, data.validated_data["file"], user=request.user,
                                   options=options)
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from exc
        except imports.ImportFileError as exc:
            raise serializers.ValidationError({"file": exc.messages}) from exc
        return Response(ImportUploadSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ImportConfirmSerializer,
                   responses={200: ImportUploadSerializer, 202: ImportUploadSerializer},
                   summary="Import what the preview showed",
                   description="200 when imported (all rows, or none with its errors); 202 "
                               "when a big file is imported in the background: read the "
                               "upload until status is imported or failed.")
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        row = self.get_object()
        body = ImportConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            row = importing.confirm(row, user=request.user, sha256=body.validated_data["sha256"])
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            raise _api_error(exc) from exc
        code = status.HTTP_202_ACCEPTED if row.status == "importing" else status.HTTP_200_OK
        return Response(ImportUploadSerializer(row).data, status=code)


class BackgroundTaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                            viewsets.GenericViewSet):
    """The caller's background tasks, with their progress and outcome."""

    permission_classes = [ModelRolePermission]
    serializer_class = BackgroundTaskSerializer
    queryset = BackgroundTask.objects.none()

    def get_queryset(self):
        return BackgroundTask.objects.visible_to(self.request.user)
