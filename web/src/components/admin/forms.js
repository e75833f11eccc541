// The fields of each organisation form (for EntityDialog.vue) and the calls that save them. Codes
// are set when a row is made and never change (files and BPMN name rows by them), so an edit
// form has no code field.
import { request } from '../../api'

export const TIERS = ['district', 'park', 'township', 'village']
export const PARENT_TIERS = { district: [], park: ['district'], township: ['park', 'district'], village: ['township'] }
export const HALL_KINDS = ['service_center', 'convenience_center', 'convenience_station']
export const WINDOW_KINDS = ['comprehensive', 'proxy', 'pickup', 'department']

export const save = (kind, id, body) => (id
  ? request('PATCH', `org/${kind}/${id}`, { json: body })
  : request('POST', `org/${kind}`, { json: body }))
export const deactivate = (kind, id) => request('DELETE', `org/${kind}/${id}`)

const options = (values, label) => values.map((value) => ({ value, label: label(value) }))

export function unitFields(t, org, editing) {
  const parents = org.units.filter((u) => u.active && u.tier !== 'village')
  return [
    ...(editing ? [] : [{ key: 'code', label: t('admin.field.code'), required: true, max: 32, hint: t('admin.hint.code') }]),
    { key: 'name', label: t('admin.field.name'), required: true },
    { key: 'tier', label: t('admin.field.tier'), type: 'select', required: true, options: options(TIERS, (v) => t(`label.tier.${v}`)) },
    { key: 'parent_id', label: t('admin.field.parent_id'), type: 'select', clearable: true,
      options: parents.map((u) => ({ value: u.id, label: `${u.name}（${t(`label.tier.${u.tier}`)}）` })) },
  ]
}

export function departmentFields(t, editing) {
  return [
    ...(editing ? [] : [{ key: 'code', label: t('admin.field.code'), required: true, max: 32, hint: t('admin.hint.departmentCode') }]),
    { key: 'name', label: t('admin.field.name'), required: true },
  ]
}

export function hallFields(t, editing) {
  return [
    ...(editing ? [] : [{ key: 'code', label: t('admin.field.code'), required: true, max: 32, hint: t('admin.hint.code') }]),
    { key: 'name', label: t('admin.field.name'), required: true },
    { key: 'kind', label: t('admin.field.kind'), type: 'select', required: true, options: options(HALL_KINDS, (v) => t(`admin.hallKind.${v}`)) },
    { key: 'closes_at', label: t('admin.field.closes_at'), max: 5, hint: t('admin.hint.closesAt') },
  ]
}

export function windowFields(t, org, unitId, editing) {
  const halls = org.halls.filter((h) => h.org_unit_id === unitId && h.active)
  const departments = org.departments.filter((d) => d.org_unit_id === unitId && d.active)
  return [
    ...(editing ? [] : [{ key: 'code', label: t('admin.field.code'), required: true, max: 32, hint: t('admin.hint.code') }]),
    { key: 'name', label: t('admin.field.name'), required: true },
    { key: 'kind', label: t('admin.field.kind'), type: 'select', required: true, options: options(WINDOW_KINDS, (v) => t(`admin.windowKind.${v}`)) },
    { key: 'hall_id', label: t('admin.field.hall_id'), type: 'select', required: true, options: halls.map((h) => ({ value: h.id, label: h.name })) },
    { key: 'department_id', label: t('admin.field.department_id'), type: 'select', clearable: true,
      options: departments.map((d) => ({ value: d.id, label: `${d.name}（${d.code}）` })) },
  ]
}

export function roleFields(t, editing) {
  return [
    ...(editing ? [] : [{ key: 'code', label: t('admin.field.code'), required: true, max: 32, hint: t('admin.hint.roleCode') }]),
    { key: 'name_zh', label: t('admin.field.name_zh'), required: true, max: 100 },
    { key: 'name_en', label: t('admin.field.name_en'), required: true, max: 100 },
    { key: 'description', label: t('admin.field.description'), type: 'textarea', max: 500 },
  ]
}

export function staffFields(t, editing) {
  return [
    ...(editing ? [] : [{ key: 'username', label: t('admin.field.username'), required: true, max: 64 }]),
    { key: 'name', label: t('admin.field.staffName'), required: true, max: 100 },
    { key: 'password', label: editing ? t('admin.field.newPassword') : t('admin.field.password'), type: 'password',
      required: !editing, max: 256 },
  ]
}

export function postFields(t, locale, org, staff, windows, { moving = false } = {}) {
  const roles = org.roles.filter((r) => r.active)
  return [
    ...(moving ? [] : [{ key: 'staff_id', label: t('admin.field.staff_id'), type: 'select', required: true,
      options: staff.filter((s) => s.active).map((s) => ({ value: s.id, label: `${s.name}（${s.username}）` })) }]),
    { key: 'window_id', label: t('admin.field.window_id'), type: 'select', required: true, hint: t('admin.hint.window'),
      options: windows.filter((w) => w.active).map((w) => ({ value: w.id, label: `${w.name}（${w.code}）` })) },
    { key: 'role', label: t('admin.field.role'), type: 'select', required: !moving,
      options: roles.map((r) => ({ value: r.code, label: roleName(r, locale) })) },
  ]
}

export function roleName(role, locale) {
  return `${locale === 'en' ? role.name_en : role.name_zh}（${role.code}）`
}
