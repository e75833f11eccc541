// Texts of the incidents page (docs/integration.md#incidents) and its dashboard tile.
export default {
  'zh-CN': {
    incidents: {
      nav: '异常事件', title: '异常事件', lead: '流程自动执行时未能完成的工作：外部任务重试用尽、定时器失败、脚本出错、信号或消息未能送达。可重试或填写说明后标记为已处理。',
      state: { open: '未处理', resolved: '已处理' }, allStates: '全部状态', filterState: '状态',
      kind: { external_task: '外部任务', timer: '定时器', script: '脚本', signal: '信号', message: '消息', assignment: '办理人指定' }, allKinds: '全部类型', filterKind: '类型',
      process: '流程', element: '环节', filterProcess: '流程标识', filterElement: '环节标识', caseId: '案件 ID',
      case: '案件', message: '错误信息', createdAt: '发生时间', actions: '操作', details: '详细信息', noDetails: '（无）',
      total: '共 {n} 条', empty: '没有符合条件的异常事件',
      retry: '重试', resolve: '标记已处理', resolution: { retried: '已重试', resolved: '已处理' },
      resolvedBy: '{who} 于 {time} {how}', note: '处理说明',
      resolveTitle: '标记异常事件已处理', resolveLead: '请说明做了什么（如已线下核实、已修正流程）。该说明会记入案件的审计记录。',
      notePlaceholder: '最多 1000 字', noteRequired: '请填写处理说明', cancel: '取消', confirm: '确认',
      retried: '已重试：外部任务可被重新获取。', retriedAssignment: '已重试：已按案件数据重新指定办理人。', retriedTimerFired: '已重试：定时器已重新触发。',
      retriedTimerFailed: '已重试，但定时器再次失败，已生成新的异常事件。', resolved: '已标记为已处理。',
      tile: '未处理异常', tileLink: '查看异常事件', search: '查询', reset: '重置',
    },
  },
  en: {
    incidents: {
      nav: 'Incidents', title: 'Incidents', lead: 'Work the engine could not finish on its own: external tasks out of retries, failed timers, failing scripts, signals or messages not delivered. Retry, or resolve with a note.',
      state: { open: 'Open', resolved: 'Resolved' }, allStates: 'All states', filterState: 'State',
      kind: { external_task: 'External task', timer: 'Timer', script: 'Script', signal: 'Signal', message: 'Message', assignment: 'Assignment' }, allKinds: 'All kinds', filterKind: 'Kind',
      process: 'Process', element: 'Step', filterProcess: 'Process key', filterElement: 'Element id', caseId: 'Case id',
      case: 'Case', message: 'Error', createdAt: 'Raised', actions: 'Actions', details: 'Details', noDetails: '(none)',
      total: '{n} in total', empty: 'No incidents match',
      retry: 'Retry', resolve: 'Resolve', resolution: { retried: 'retried', resolved: 'resolved' },
      resolvedBy: '{how} by {who} at {time}', note: 'Note',
      resolveTitle: 'Resolve the incident', resolveLead: 'Say what was done (checked by hand, diagram fixed …). The note goes into the case\'s audit trail.',
      notePlaceholder: 'At most 1000 characters', noteRequired: 'A note is required', cancel: 'Cancel', confirm: 'Confirm',
      retried: 'Retried: the external task can be fetched again.', retriedAssignment: 'Retried: the step was given again as the case data names.', retriedTimerFired: 'Retried: the timer fired again.',
      retriedTimerFailed: 'Retried, but the timer failed again; a new incident was raised.', resolved: 'Marked as resolved.',
      tile: 'Open incidents', tileLink: 'See incidents', search: 'Search', reset: 'Reset',
    },
  },
}
