// The state of the buttons of one panel: which action is in flight (its button shows a spinner,
// the others wait, and a second click while busy does nothing, so a double click sends once),
// the error in the reader's language and the success notice, both shown beside those buttons.
import { reactive } from 'vue'
import { errorText } from '../../errors'

export function useAction() {
  const state = reactive({ busy: '', error: '', done: '', failure: null })

  async function run(name, work, doneText) {
    if (state.busy) return undefined
    state.busy = name
    state.error = ''
    state.done = ''
    state.failure = null
    try {
      const result = await work()
      state.done = typeof doneText === 'function' ? doneText(result) : (doneText || '')
      return result
    } catch (error) {
      state.failure = error
      state.error = errorText(error)
      return undefined
    } finally {
      state.busy = ''
    }
  }

  function clear() {
    state.error = ''
    state.done = ''
    state.failure = null
  }

  return { state, run, clear }
}
