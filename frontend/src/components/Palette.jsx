// The palette: every node type from the catalog, grouped by kind and then by connector
// (built-in steps first), searchable.
import { memo, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { localized } from '../i18n.js';
import { byRelevance, relevance } from '../palette.js';

const KINDS = ['trigger', 'transform', 'action'];

function Palette({ catalog, onAdd, dragType }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const [query, setQuery] = useState('');
  const groups = useMemo(() => {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    const matches = (spec) => {
      const text = [
        spec.key,
        spec.connector,
        localized(spec.title, lang),
        localized(spec.description, lang),
      ]
        .join(' ')
        .toLowerCase();
      return words.every((w) => text.includes(w));
    };
    const specs = Object.values(catalog).filter(matches);
    const kinds = [...KINDS, ...new Set(specs.map((s) => s.kind).filter((k) => !KINDS.includes(k)))];
    const score = (spec) => relevance(spec, words, lang);
    const byTitle = (a, b) =>
      score(b) - score(a) || localized(a.title, lang).localeCompare(localized(b.title, lang), lang);
    const connectorName = (spec) => (spec.connector_title ? localized(spec.connector_title, lang) : '');
    const connectorSpecs = (c) => c.specs;
    const groupSpecs = (g) => g.connectors.flatMap(connectorSpecs);
    const groups = kinds
      .map((kind) => {
        const ofKind = specs.filter((s) => s.kind === kind);
        const names = [...new Set(ofKind.map(connectorName))].sort((a, b) => a.localeCompare(b, lang));
        const connectors = names.map((name) => ({
          name,
          specs: ofKind.filter((s) => connectorName(s) === name).sort(byTitle),
        }));
        return { kind, connectors: byRelevance(connectors, connectorSpecs, score) };
      })
      .filter((g) => g.connectors.length);
    return byRelevance(groups, groupSpecs, score);
  }, [catalog, lang, query]);

  return (
    <aside className="palette" aria-label={t('palette')}>
      <h2>{t('palette')}</h2>
      <input
        type="search"
        placeholder={t('search')}
        aria-label={t('search')}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <p className="hint">{t('palette_hint')}</p>
      {groups.length === 0 && <p className="muted">{t('no_match')}</p>}
      {groups.map((group) => (
        <section key={group.kind} className={`palette-group kind-${group.kind}`}>
          <h3>{t(`kind_${group.kind}`)}</h3>
          {group.connectors.map(({ name, specs }) => (
            <div key={name} className="palette-connector" data-connector={name || 'builtin'}>
              {group.connectors.length > 1 && <h4>{name || t('builtin')}</h4>}
              {specs.map((spec) => (
                <button
                  type="button"
                  key={spec.key}
                  className="palette-item"
                  data-node-type={spec.key}
                  draggable
                  onDragStart={(e) => {
                    e.dataTransfer.setData(dragType, spec.key);
                    e.dataTransfer.effectAllowed = 'copy';
                  }}
                  onClick={() => onAdd(spec)}
                  title={localized(spec.description, lang)}
                >
                  <span className="palette-title">{localized(spec.title, lang)}</span>
                  <span className="palette-desc">{localized(spec.description, lang)}</span>
                </button>
              ))}
            </div>
          ))}
        </section>
      ))}
    </aside>
  );
}

// Memoised: the editor re-renders on every drag frame, the palette need not.
export default memo(Palette);
