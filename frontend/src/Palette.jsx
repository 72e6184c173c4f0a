// The palette: every node type from the catalog, grouped by kind, searchable.
import { memo, useMemo, useState } from 'react';
import { localized } from './i18n.js';

const KINDS = ['trigger', 'transform', 'action'];

function Palette({ catalog, lang, t, onAdd, dragType }) {
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
    return kinds
      .map((kind) => ({
        kind,
        specs: specs
          .filter((s) => s.kind === kind)
          .sort((a, b) => localized(a.title, lang).localeCompare(localized(b.title, lang), lang)),
      }))
      .filter((g) => g.specs.length);
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
          {group.specs.map((spec) => (
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
        </section>
      ))}
    </aside>
  );
}

// Memoised: the editor re-renders on every drag frame, the palette need not.
export default memo(Palette);
