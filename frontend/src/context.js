import { createContext } from 'react';

/**
 * What every node on the canvas reads: the node catalog, the save problems and run steps by node
 * id, and (on the template pages' previews) connector icons by connector key.
 */
export const EditorContext = createContext({ catalog: {}, problems: {}, steps: {}, icons: {} });
