export default {
  'zh-CN': {
    diagram: {
      title: '流程图', show: '显示流程图', hide: '收起流程图', label: '流程图', loading: '正在加载流程图…',
      drawFailed: '流程图无法显示，请查看下方的环节列表。', loadFailed: '流程图加载失败', zoomIn: '放大', zoomOut: '缩小', fit: '适应窗口',
      summary: '流程图：{completed} 个环节已完成，{active} 个在办，{overdue} 个超期',
      legend: '图例', steps: '环节状态', noSteps: '还没有环节开始办理。', overdueBadge: '超期', tokenBadge: '在办',
      state: { active: '在办', overdue: '超期', completed: '已完成', cancelled: '已取消', path: '已走过的路径' },
      times: '已办理 {n} 次', due: '期限 {due}', assignee: '办理人 {name}', late: '曾超期',
      heatmapLink: '查看本版本热力图',
      applicantHint: '图中标出了您的办件已经完成和正在办理的环节。',
    },
    heatmap: {
      title: '流程热力图', lead: '按本版本全部办件统计各环节实际用时（工作日）与超期数。', version: '版本', versionOption: '第 {version} 版',
      cases: '办件数 {n}', badge: '{days} 工作日 · {overdue} 超期', openBadge: '{open} 在办 · {overdue} 超期', scale: '平均用时（工作日）', noData: '无数据',
      table: '各环节统计', step: '环节', completed: '已办结', mean: '平均工作日', median: '中位工作日', max: '最长工作日',
      overdue: '超期数', open: '在办', csv: '下载 CSV（Excel 可打开）', calledProcess: '（被调用流程）',
      label: '热力图：{steps} 个环节按平均用时着色', loadFailed: '热力图加载失败', back: '← 返回',
    },
  },
  en: {
    diagram: {
      title: 'Diagram', show: 'Show the diagram', hide: 'Hide the diagram', label: 'Process diagram', loading: 'Loading the diagram…',
      drawFailed: 'The diagram cannot be drawn; the list of steps below has the same facts.', loadFailed: 'The diagram could not be loaded',
      zoomIn: 'Zoom in', zoomOut: 'Zoom out', fit: 'Fit',
      summary: 'Diagram: {completed} steps completed, {active} in progress, {overdue} overdue',
      legend: 'Legend', steps: 'Steps', noSteps: 'No step has started yet.', overdueBadge: 'Overdue', tokenBadge: 'Now',
      state: { active: 'In progress', overdue: 'Overdue', completed: 'Completed', cancelled: 'Cancelled', path: 'Path taken' },
      times: 'done {n} times', due: 'due {due}', assignee: 'held by {name}', late: 'was late',
      heatmapLink: 'Heatmap of this version',
      applicantHint: 'The diagram marks the steps of your case that are done and the one in progress.',
    },
    heatmap: {
      title: 'Process heatmap', lead: 'Working days spent and overdue counts per step, over every case of this version.', version: 'Version',
      versionOption: 'version {version}', cases: '{n} case | {n} cases', badge: '{days} working days · {overdue} overdue', openBadge: '{open} open · {overdue} overdue', scale: 'Mean working days',
      noData: 'no data', table: 'Figures per step', step: 'Step', completed: 'Completed', mean: 'Mean days', median: 'Median days',
      max: 'Longest', overdue: 'Overdue', open: 'Open', csv: 'Download CSV (opens in Excel)', calledProcess: '(called process)',
      label: 'Heatmap: {steps} steps coloured by mean working days', loadFailed: 'The heatmap could not be loaded', back: '← Back',
    },
  },
}
