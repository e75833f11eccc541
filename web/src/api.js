// The one HTTP client of the console. The session is an HttpOnly cookie set by
// POST /api/v1/auth/session (script cannot read it); every request that changes something
// carries the session's CSRF token in X-CSRF-Token, which the server derives from the session
// and hands out at login and in /auth/me. Errors arrive as problem+json with a stable `code`.
import { reactive } from 'vue'

export const session = reactive({ user: null, csrf: null, checked: false })

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.detail || `HTTP ${status}`)
    this.status = status
    this.code = body?.code || `http_${status}`
    this.field = body?.field || null
    this.element = body?.element || null
    this.body = body || {}
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export async function request(method, path, { json, form, query, headers = {}, raw = false } = {}) {
  let url = path.startsWith('/') ? path : `/api/v1/${path}`
  if (query) {
    const params = new URLSearchParams()
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== '') params.append(key, value)
    }
    const text = params.toString()
    if (text) url += `?${text}`
  }
  const init = { method, headers: { Accept: 'application/json', ...headers }, credentials: 'same-origin' }
  if (UNSAFE.has(method) && session.csrf) init.headers['X-CSRF-Token'] = session.csrf
  if (json !== undefined) {
    init.headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(json)
  } else if (form) {
    init.body = form
  }
  let response
  try {
    response = await fetch(url, init)
  } catch {
    throw new ApiError(0, { code: 'network_error', detail: 'network error' })
  }
  if (raw && response.ok) return response
  const type = response.headers.get('Content-Type') || ''
  const body = type.includes('json') ? await response.json().catch(() => null) : null
  if (!response.ok) {
    if (response.status === 401 && session.user) session.user = null
    throw new ApiError(response.status, body)
  }
  return body
}

export const api = {
  get: (path, query) => request('GET', path, { query }),
  post: (path, json, headers) => request('POST', path, { json: json ?? {}, headers }),
  put: (path, json) => request('PUT', path, { json: json ?? {} }),
  upload: (path, form) => request('POST', path, { form }),
}

export async function loadSession() {
  try {
    const { user } = await request('GET', 'auth/session')
    session.user = user
    session.csrf = user?.csrf_token || null
  } catch {
    session.user = null
    session.csrf = null
  } finally {
    session.checked = true
  }
  return session.user
}

export async function login(username, password) {
  // the answer names the user too: no second round trip before the next page
  const answer = await request('POST', 'auth/session', { json: { username, password } })
  session.csrf = answer.csrf_token
  session.user = answer.user
  session.checked = true
  return session.user
}

export async function logout() {
  try {
    await request('DELETE', 'auth/session')
  } finally {
    session.user = null
    session.csrf = null
  }
}

export const isStaff = () => session.user?.kind === 'staff'
export const isApplicant = () => session.user?.kind === 'applicant'
export const hasRole = (role) => (session.user?.posts || []).some((p) => p.role === role)
