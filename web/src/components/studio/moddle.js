// What bpmn-js must know of the Camunda 7 namespace to keep it in the XML: the attributes and
// extension elements Lianban's parser reads (engine/bpmn/dialects.py: candidateGroups, assignee,
// formKey, dueDate, camunda:properties) and the ones the demo diagrams carry beside them (call
// activities' camunda:in/out and calledElementBinding). moddle drops an element of a namespace it
// knows but a type it does not (an import warning the studio shows), while a namespace it does not
// know at all (zeebe, spiffworkflow) is kept untouched as generic elements: so only the dialect
// the studio WRITES is described here, and the others are read generically (properties.js).
export const camundaModdle = {
  name: 'Camunda',
  uri: 'http://camunda.org/schema/1.0/bpmn',
  prefix: 'camunda',
  xml: { tagAlias: 'lowerCase' },
  associations: [],
  types: [
    {
      name: 'Assignable',
      isAbstract: true,
      extends: ['bpmn:UserTask'],
      properties: [
        { name: 'candidateGroups', isAttr: true, type: 'String' },
        { name: 'candidateUsers', isAttr: true, type: 'String' },
        { name: 'assignee', isAttr: true, type: 'String' },
        { name: 'dueDate', isAttr: true, type: 'String' },
        { name: 'followUpDate', isAttr: true, type: 'String' },
        { name: 'priority', isAttr: true, type: 'String' },
      ],
    },
    {
      name: 'FormSupported',
      isAbstract: true,
      extends: ['bpmn:StartEvent', 'bpmn:UserTask'],
      properties: [
        { name: 'formKey', isAttr: true, type: 'String' },
        { name: 'formRef', isAttr: true, type: 'String' },
      ],
    },
    {
      name: 'CallActivity',
      isAbstract: true,
      extends: ['bpmn:CallActivity'],
      properties: [
        { name: 'calledElementBinding', isAttr: true, type: 'String' },
        { name: 'calledElementVersion', isAttr: true, type: 'String' },
      ],
    },
    {
      name: 'Properties',
      superClass: ['Element'],
      meta: { allowedIn: ['*'] },
      properties: [{ name: 'values', type: 'Property', isMany: true }],
    },
    {
      name: 'Property',
      superClass: ['Element'],
      properties: [
        { name: 'id', type: 'String', isAttr: true },
        { name: 'name', type: 'String', isAttr: true },
        { name: 'value', type: 'String', isAttr: true },
      ],
    },
    {
      name: 'In',
      superClass: ['Element'],
      properties: ['source', 'sourceExpression', 'variables', 'target', 'businessKey', 'local']
        .map((name) => ({ name, isAttr: true, type: name === 'local' ? 'Boolean' : 'String' })),
    },
    {
      name: 'Out',
      superClass: ['Element'],
      properties: ['source', 'sourceExpression', 'variables', 'target', 'local']
        .map((name) => ({ name, isAttr: true, type: name === 'local' ? 'Boolean' : 'String' })),
    },
  ],
}

export const moddleExtensions = { camunda: camundaModdle }
