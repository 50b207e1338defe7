from django import forms
from django.utils.translation import gettext_lazy as _

MAX_DEFINITION_BYTES = 2 * 1024 * 1024


class DefinitionUploadForm(forms.Form):
    file = forms.FileField(label=_("定义文件 (YAML)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_DEFINITION_BYTES:
            raise forms.ValidationError("文件过大：定义文件不能超过 2 MB。")
        try:
            return upload.name, upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("文件不是 UTF-8 编码的文本，请另存为 UTF-8 后再上传。") from None
