// python-slugify with Prefect's arguments (reference §4.2): ASCII, lowercase, [a-z0-9-], truncated.

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

// Letters NFKD does not decompose; text-unidecode maps them like this.
const TRANSLITERATION: Record<string, string> = {
  ß: 'ss', æ: 'ae', Æ: 'AE', ø: 'o', Ø: 'O', đ: 'd', Đ: 'D', ł: 'l', Ł: 'L', œ: 'oe', Œ: 'OE', þ: 'th', Þ: 'Th',
  ð: 'd', Ð: 'D', ı: 'i', ħ: 'h', Ħ: 'H',
};

function decodeEntities(text: string): string {
  return text
    .replace(/&([a-zA-Z]+);/g, (m, name: string) => NAMED_ENTITIES[name.toLowerCase()] ?? m)
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&#x([0-9a-fA-F]+);/g, (_m, code: string) => String.fromCodePoint(parseInt(code, 16)));
}

function toAscii(text: string): string {
  return [...text.normalize('NFKD')]
    .map((ch) => TRANSLITERATION[ch] ?? ch)
    .join('')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x00-\x7f]/g, '');
}

export function slugify(text: string, maxLength: number): string {
  let slug = text.replace(/'+/g, '-');
  slug = toAscii(slug);
  slug = decodeEntities(slug);
  slug = toAscii(slug).toLowerCase();
  slug = slug.replace(/'/g, '').replace(/(\d),(?=\d)/g, '$1');
  slug = slug.replace(/[^a-zA-Z0-9-]+/g, '-');
  slug = slug.replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '');
  if (maxLength > 0 && slug.length > maxLength) slug = slug.slice(0, maxLength).replace(/^-+|-+$/g, '');
  return slug;
}
