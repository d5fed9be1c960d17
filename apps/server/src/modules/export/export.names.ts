/**
 * File and sheet names inside the package. Collection names come from other systems and can be anything; the names
 * we derive must be valid, unique and still recognisable to the person.
 */

/** Excel: at most 31 characters, none of \ / ? * [ ] :, not starting or ending with an apostrophe, not "History". */
export const SHEET_NAME_MAX = 31;

const uniqueIn = (taken: Set<string>, base: string, max: number, fold: (s: string) => string): string => {
  const cut = (s: string, n: number) => [...s].slice(0, n).join('');
  let name = cut(base, max);
  for (let i = 2; taken.has(fold(name)); i++) {
    const suffix = `~${i}`;
    name = cut(base, max - suffix.length) + suffix;
  }
  taken.add(fold(name));
  return name;
};

/**
 * Hands out sheet names: sanitised, ≤ 31 characters (counted in UTF-16 units, as Excel counts), unique ignoring case
 * (Excel compares them that way).
 * @example const next = sheetNamer(); next('crm.contacts'); next('crm.contacts') // 'crm.contacts', 'crm.contacts~2'
 */
export const sheetNamer = () => {
  const taken = new Set<string>(['history']);
  return (raw: string): string => {
    let base = raw
      .replace(/[\\/?*[\]:]/g, '_')
      .replace(/\p{Cc}/gu, ' ')
      .replace(/^'+|'+$/g, '')
      .trim();
    if (!base) base = 'Sheet';
    // Counting UTF-16 units: cut by code points first, then shorten until it fits, so no surrogate is split.
    const fit = (s: string, max: number) => {
      let cps = [...s];
      while (cps.join('').length > max) cps = cps.slice(0, -1);
      return cps.join('').replace(/'+$/, '');
    };
    let name = fit(base, SHEET_NAME_MAX);
    for (let i = 2; taken.has(name.toLowerCase()); i++) {
      const suffix = `~${i}`;
      name = fit(base, SHEET_NAME_MAX - suffix.length) + suffix;
    }
    taken.add(name.toLowerCase());
    return name;
  };
};

/**
 * Hands out CSV file names `csv/<system>.<collection>.csv`: letters and digits of any script kept, anything else
 * becomes `_`, unique ignoring case (Windows and macOS file systems fold case).
 */
export const csvNamer = () => {
  const taken = new Set<string>();
  return (system: string, collection: string): string => {
    const clean = (s: string) =>
      s
        .normalize('NFC')
        .replace(/[^\p{L}\p{N}_-]+/gu, '_')
        .replace(/^_+|_+$/g, '') || 'data';
    return `csv/${uniqueIn(taken, `${clean(system)}.${clean(collection)}`, 120, (s) => s.toLowerCase())}.csv`;
  };
};
