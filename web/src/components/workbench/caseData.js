// What the task page and the case page both show of a case: the case itself, its audit trail,
// documents and materials, loaded side by side; a part that fails says so in its own section
// instead of blanking the page. Item names come from the service-item list (CaseOut has the code).
import { reactive } from 'vue'
import { api } from '../../api'
import { errorText } from '../../errors'

let itemNames = null

export async function serviceItemNames() {
  if (!itemNames) {
    itemNames = api.get('service-items').then((items) => {
      const names = {}
      for (const item of items || []) {
        names[item.code] = item.name
        if (item.local_code) names[item.local_code] = item.name
      }
      return names
    }).catch((error) => {
      itemNames = null          // try again next time instead of remembering a failure
      throw error
    })
  }
  return itemNames
}

export function useCaseData() {
  const data = reactive({
    id: null, loading: false, case: null, itemName: '', error: '', events: [], intact: true, brokenAt: null,
    eventsError: '', documents: [], documentsError: '', materials: null, materialsError: '',
  })

  async function load(caseId) {
    data.id = caseId
    data.loading = true
    const base = `cases/${caseId}`
    const [one, events, documents, materials, names] = await Promise.allSettled([
      api.get(base), api.get(`${base}/events`), api.get(`${base}/documents`), api.get(`${base}/materials`),
      serviceItemNames(),
    ])
    if (data.id !== caseId) return          // a newer load started meanwhile
    data.loading = false
    data.error = one.status === 'rejected' ? errorText(one.reason) : ''
    if (one.status === 'fulfilled') data.case = one.value
    if (events.status === 'fulfilled') {
      data.events = events.value.events || []
      data.intact = events.value.intact !== false
      data.brokenAt = events.value.broken_at ?? null
    }
    data.eventsError = events.status === 'rejected' ? errorText(events.reason) : ''
    if (documents.status === 'fulfilled') data.documents = documents.value || []
    data.documentsError = documents.status === 'rejected' ? errorText(documents.reason) : ''
    if (materials.status === 'fulfilled') data.materials = materials.value
    data.materialsError = materials.status === 'rejected' ? errorText(materials.reason) : ''
    if (names.status === 'fulfilled' && data.case) data.itemName = names.value[data.case.item_code] || ''
  }

  return { data, load }
}

/** The open tasks of one case the caller sees on her worklist (hers, her queues', her window's):
 * the worklist searched by the case number, both scopes, the case's rows kept. */
export async function openTasksOfCase(kase) {
  const pages = await Promise.all(['all', 'window'].map((scope) => api.get('tasks/workbench',
    { scope, q: kase.number, page_size: 100 }).catch(() => ({ items: [] }))))
  const seen = new Map()
  for (const page of pages) {
    for (const item of page.items || []) if (item.case_id === kase.id && !seen.has(item.id)) seen.set(item.id, item)
  }
  return [...seen.values()]
}
