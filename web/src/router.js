// Pages by path. Each page is its own chunk (loaded when first visited), so the first page a
// person opens downloads only what it shows. meta.kind: who may open it (login first otherwise).
import { createRouter, createWebHistory } from 'vue-router'
import { session, loadSession } from './api'

const routes = [
  { path: '/', name: 'home', component: () => import('./pages/Landing.vue') },
  { path: '/guide', name: 'guide', component: () => import('./pages/Guide.vue') },
  { path: '/guide/:code', name: 'guide-item', component: () => import('./pages/GuideItem.vue'), props: true },
  { path: '/login', name: 'login', component: () => import('./pages/Login.vue') },
  { path: '/console', name: 'workbench', component: () => import('./pages/workbench/Inbox.vue'), meta: { kind: 'staff' } },
  { path: '/console/tasks/:taskId', name: 'task', component: () => import('./pages/workbench/TaskPage.vue'),
    props: true, meta: { kind: 'staff' } },
  { path: '/console/cases/:caseId', name: 'case', component: () => import('./pages/workbench/CasePage.vue'),
    props: true, meta: { kind: 'staff' } },
  { path: '/console/supervision', name: 'supervision', component: () => import('./pages/supervision/Supervision.vue'),
    meta: { kind: 'staff' } },
  // process diagrams (issue 12): a version's heatmap, for designers, supervisors and administrators
  { path: '/console/definitions/:definitionId/heatmap', name: 'heatmap', component: () => import('./pages/diagrams/Heatmap.vue'),
    props: true, meta: { kind: 'staff' } },
  // the designer studio (docs/studio.md): definitions, modeler, diff; designers and administrators
  { path: '/console/studio', name: 'studio', component: () => import('./pages/studio/Studio.vue'), meta: { kind: 'staff' } },
  { path: '/console/studio/new', name: 'studio-new', component: () => import('./pages/studio/StudioEditor.vue'),
    meta: { kind: 'staff' } },
  { path: '/console/studio/edit/:definitionId', name: 'studio-edit', component: () => import('./pages/studio/StudioEditor.vue'),
    props: true, meta: { kind: 'staff' } },
  { path: '/console/studio/definitions/:definitionId', name: 'studio-view',
    component: () => import('./pages/studio/StudioView.vue'), props: true, meta: { kind: 'staff' } },
  { path: '/console/studio/diff/:processKey', name: 'studio-diff', component: () => import('./pages/studio/StudioDiff.vue'),
    props: true, meta: { kind: 'staff' } },
  // migrating running cases to another version (docs/migration.md#the-console-page); designers and administrators
  { path: '/console/migrations', name: 'migrations', component: () => import('./pages/migration/Migration.vue'),
    meta: { kind: 'staff' } },
  // administrators: the organisation (units, windows, posts, roles, staff, import/export)
  { path: '/console/admin', name: 'admin', component: () => import('./pages/admin/Organisation.vue'), meta: { kind: 'staff' } },
  // 好差评 (issue 13, docs/ratings.md): rating at a window and the disclosure are public; the QR page and the ledger are staff's
  { path: '/rate/window/:code', name: 'rate-window', component: () => import('./pages/ratings/RateWindow.vue'), props: true },
  { path: '/ratings', name: 'ratings-public', component: () => import('./pages/ratings/PublicRatings.vue') },
  { path: '/console/windows/:code/qr', name: 'window-qr', component: () => import('./pages/ratings/WindowQr.vue'),
    props: true, meta: { kind: 'staff' } },
  // incidents (docs/integration.md#incidents): administrators, designers, supervisors
  { path: '/console/incidents', name: 'incidents', component: () => import('./pages/incidents/Incidents.vue'), meta: { kind: 'staff' } },
  // external tasks waiting for workers, per topic (docs/integration.md#in-the-console): the same readers
  { path: '/console/external-tasks', name: 'external-tasks', component: () => import('./pages/incidents/ExternalTasks.vue'), meta: { kind: 'staff' } },
  { path: '/console/ratings', name: 'ratings-ledger', component: () => import('./pages/ratings/Ledger.vue'), meta: { kind: 'staff' } },
  { path: '/portal', name: 'portal', component: () => import('./pages/portal/MyCases.vue'), meta: { kind: 'applicant' } },
  { path: '/portal/apply/:code', name: 'apply', component: () => import('./pages/portal/Apply.vue'),
    props: true, meta: { kind: 'applicant' } },
  { path: '/portal/cases/:caseId', name: 'my-case', component: () => import('./pages/portal/MyCase.vue'),
    props: true, meta: { kind: 'applicant' } },
  { path: '/portal/vault', name: 'vault', component: () => import('./pages/portal/Vault.vue'), meta: { kind: 'applicant' } },
  { path: '/:rest(.*)*', name: 'not-found', component: () => import('./pages/NotFound.vue') },
]

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

/** Loads a page's code ahead of need (e.g. the workbench and the portal while someone types her
 * password on the login page), so the page after the login shows without waiting for it. */
export function prefetch(...names) {
  for (const name of names) {
    const route = routes.find((r) => r.name === name)
    if (typeof route?.component === 'function') route.component().catch(() => {})
  }
}

export function homeOf(user) {
  if (!user) return { name: 'home' }
  if (user.kind === 'applicant') return { name: 'portal' }
  // a designer without a window post has no worklist: the studio is her workbench
  if (user.roles?.includes('designer') && !(user.posts || []).length) return { name: 'studio' }
  return { name: 'workbench' }
}

router.beforeEach(async (to) => {
  if (!session.checked) await loadSession()
  const kind = to.meta.kind
  if (!kind) return true
  if (!session.user) return { name: 'login', query: { next: to.fullPath } }
  if (session.user.kind !== kind) return homeOf(session.user)
  return true
})
