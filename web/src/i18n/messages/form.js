export default {
  'zh-CN': {
    form: {
      required: '请填写「{label}」', minLength: '「{label}」至少 {n} 个字', maxLength: '「{label}」不能超过 {n} 个字',
      minimum: '「{label}」不能小于 {n}', exclusiveMinimum: '「{label}」须大于 {n}', maximum: '「{label}」不能大于 {n}',
      exclusiveMaximum: '「{label}」须小于 {n}', minItems: '「{label}」至少选择 {n} 项', maxItems: '「{label}」最多选择 {n} 项',
      uniqueItems: '「{label}」有重复项', pattern: '「{label}」格式不正确', format: '「{label}」格式不正确',
      choice: '请从「{label}」的选项中选择', type: '「{label}」格式不正确', invalid: '「{label}」填写有误',
      choose: '请选择', yes: '是', no: '否', linesHint: '每行一项', pickDate: '选择日期',
      fixBelow: '有 {n} 处需要修改，请查看标红的栏目',
    },
  },
  en: {
    form: {
      required: 'Fill in “{label}”', minLength: '“{label}” needs at least {n} characters', maxLength: '“{label}” may have at most {n} characters',
      minimum: '“{label}” may not be below {n}', exclusiveMinimum: '“{label}” must be above {n}', maximum: '“{label}” may not exceed {n}',
      exclusiveMaximum: '“{label}” must be below {n}', minItems: 'Choose at least {n} for “{label}”', maxItems: 'Choose at most {n} for “{label}”',
      uniqueItems: '“{label}” has duplicates', pattern: '“{label}” is not in the right format', format: '“{label}” is not in the right format',
      choice: 'Choose one of the options for “{label}”', type: '“{label}” is not in the right format', invalid: '“{label}” is not valid',
      choose: 'Choose', yes: 'Yes', no: 'No', linesHint: 'One per line', pickDate: 'Pick a date',
      fixBelow: '{n} fields need attention (marked in red)',
    },
  },
}
