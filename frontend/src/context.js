import { createContext } from 'react';

export const EditorContext = createContext({
  catalog: {},
  lang: 'en',
  t: (key) => key,
  problems: {},
  steps: {},
});
