// A passing notice ("Version 3 restored …") that goes away by itself.
import { useEffect, useState } from 'react';

const NOTICE_MS = 6000;

export function useNotice() {
  const [notice, setNotice] = useState(null);
  useEffect(() => {
    if (!notice) return undefined;
    const timer = setTimeout(() => setNotice(null), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice]);
  return [notice, setNotice];
}
