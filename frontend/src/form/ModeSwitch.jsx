// "Fixed value | From data": whether a parameter is typed in or read from the data by a
// JMESPath expression. Clicking the mode already on changes nothing (it would wipe the value).
import { useTranslation } from 'react-i18next';

export default function ModeSwitch({ fromData, onChange, label }) {
  const { t } = useTranslation();
  return (
    <div className="mode-switch" role="group" aria-label={label}>
      <button
        type="button"
        className={fromData ? '' : 'on'}
        aria-pressed={!fromData}
        onClick={() => fromData && onChange(false)}
      >
        {t('fixed')}
      </button>
      <button
        type="button"
        className={fromData ? 'on' : ''}
        aria-pressed={fromData}
        onClick={() => !fromData && onChange(true)}
      >
        {t('from_data')}
      </button>
    </div>
  );
}
