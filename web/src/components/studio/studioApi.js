// The studio's reads and writes, in one place. routingOptions() is the one call to switch when the
// organisation's roles become data (GET /api/v1/org/roles and departments): the picker only needs
// {tiers: [{code, name}], roles: [{code, name}], departments: [{code, name, tiers}]}.
import { api, request, session } from '../../api'

export const routingOptions = () => api.get('process-definitions/routing-options')

export const definitionList = () => api.get('process-definitions')

export const processItems = () => api.get('process-definitions/items')

export const canDesign = () => (session.user?.roles || []).some((r) => r === 'designer' || r === 'admin')

function bpmnForm(fileName, xml, name) {
  const form = new FormData()
  form.append('files', new Blob([xml], { type: 'application/xml' }), fileName)
  if (name !== undefined) form.append('name', name)
  return form
}

/** Deploy's dry run: {processes} when it would deploy, an ApiError with body.problems when not. */
export const validateXml = (fileName, xml) => request('POST', 'process-definitions/validate', { form: bpmnForm(fileName, xml) })

export const deployXml = (fileName, xml, name) =>
  request('POST', 'process-definitions/deployments', { form: bpmnForm(fileName, xml, name) })

/** Versions grouped by process key, newest first, each key with the catalogue entries that run it. */
export function byKey(versions, items) {
  const keys = new Map()
  for (const v of versions) {
    if (!keys.has(v.key)) keys.set(v.key, { key: v.key, name: v.name || v.key, versions: [], items: [] })
    keys.get(v.key).versions.push(v)
  }
  for (const group of keys.values()) group.versions.sort((a, b) => b.version - a.version)
  for (const item of items) keys.get(item.process_key)?.items.push(item)
  return [...keys.values()].sort((a, b) => a.key.localeCompare(b.key))
}
