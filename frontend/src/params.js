// Parameters of a node: what a freshly added node starts with.

/** Params a freshly added node starts with: defaults, and empty objects where required. */
export function initialParams(schema) {
  const params = {};
  const required = new Set((schema && schema.required) || []);
  for (const [name, field] of Object.entries((schema && schema.properties) || {})) {
    if (field.default !== undefined) params[name] = field.default;
    else if (required.has(name) && field.type === 'object') params[name] = {};
  }
  return params;
}

/** The mapping a freshly added node starts with: conditions are read from the data. */
export function initialMapping(schema) {
  const conditions = Object.entries((schema && schema.properties) || {}).filter(
    ([, field]) => field.format === 'condition',
  );
  return conditions.length ? Object.fromEntries(conditions.map(([name]) => [name, ''])) : undefined;
}
