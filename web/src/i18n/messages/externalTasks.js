// Texts of the external-task page (docs/integration.md#in-the-console), a sibling of the incidents page.
export default {
  'zh-CN': {
    externalTasks: {
      nav: '外部任务', title: '外部任务', lead: '等待外部系统（缴费平台、电子证照平台等）处理的服务任务：每个主题有多少在等待、被哪个工作程序锁定、锁定何时到期、还剩几次重试。',
      topics: '按主题', topic: '主题', allTopics: '全部主题', available: '待获取', locked: '已锁定', backingOff: '重试等待',
      outOfRetries: '重试用尽', workers: '工作程序', oldest: '最早创建', nextExpiry: '最近锁定到期', noTopics: '当前没有等待中的外部任务',
      tasks: '任务', lockState: '锁定状态', allLocks: '全部', onlyLocked: '已锁定', onlyUnlocked: '未锁定',
      case: '案件', element: '环节', owner: '锁定者', expires: '到期时间', retries: '剩余重试', lastError: '最近错误',
      incident: '异常事件', waiting: '等待获取', lockedBy: '由 {who} 锁定', backoff: '{time} 后可重试',
      retriesUnset: '未失败过', total: '共 {n} 条', empty: '没有符合条件的外部任务', refresh: '刷新', showTopic: '查看该主题',
      toIncidents: '异常事件', here: '外部任务',
    },
  },
  en: {
    externalTasks: {
      nav: 'External tasks', title: 'External tasks', lead: 'Service tasks waiting for other systems (the payment platform, the e-licence platform …): how many wait per topic, which worker holds them, when its lock runs out, how many retries are left.',
      topics: 'By topic', topic: 'Topic', allTopics: 'All topics', available: 'Available', locked: 'Locked', backingOff: 'Backing off',
      outOfRetries: 'Out of retries', workers: 'Workers', oldest: 'Oldest', nextExpiry: 'Next lock expiry', noTopics: 'No external task is waiting',
      tasks: 'Tasks', lockState: 'Lock', allLocks: 'All', onlyLocked: 'Locked', onlyUnlocked: 'Not locked',
      case: 'Case', element: 'Step', owner: 'Lock owner', expires: 'Expires', retries: 'Retries left', lastError: 'Last error',
      incident: 'Incident', waiting: 'Waiting', lockedBy: 'Locked by {who}', backoff: 'Retry after {time}',
      retriesUnset: 'never failed', total: '{n} in total', empty: 'No external tasks match', refresh: 'Refresh', showTopic: 'Show this topic',
      toIncidents: 'Incidents', here: 'External tasks',
    },
  },
}
