// How the palette orders what a search finds: a step whose title says what was typed comes
// before one that only mentions it in its description ("filter" finds the Filter first).
import { localized } from './i18n.js';

/** 2 when every word is in the title, 1 when in the key, 0 otherwise. */
export function relevance(spec, words, lang) {
  const title = localized(spec.title, lang).toLowerCase();
  if (words.length && words.every((w) => title.includes(w))) return 2;
  if (words.length && words.every((w) => spec.key.toLowerCase().includes(w))) return 1;
  return 0;
}

/** `items` sorted by the best relevance among their specs, highest first (stable). */
export function byRelevance(items, specsOf, score) {
  const best = (item) => Math.max(0, ...specsOf(item).map(score));
  return [...items].sort((a, b) => best(b) - best(a));
}
