/**
 * The first key that an object in a JSON text gives twice, as a path
 * (`days`, `filter.status`), or undefined when none does. `JSON.parse`
 * keeps the last of two equal keys without a word; a tool that passes args
 * on to a destructive task must not pick one for the user.
 *
 * The text must be valid JSON (parse it first).
 *
 * @example
 * duplicateJsonKey('{"days": 30, "days": 1}'); // 'days'
 */
function duplicateJsonKey(text: string): string | undefined {
  // One frame per open object or array: the keys seen so far (objects only), and the key being read.
  const frames: { keys: Set<string> | undefined; key: string | undefined }[] = [];
  let index = 0;
  const readString = (): string => {
    const start = index;
    index += 1;
    while (text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
    index += 1;
    return JSON.parse(text.slice(start, index)) as string;
  };
  while (index < text.length) {
    const char = text[index] as string;
    if (char === '{' || char === '[') {
      frames.push({ keys: char === '{' ? new Set() : undefined, key: undefined });
      index += 1;
    } else if (char === '}' || char === ']') {
      frames.pop();
      index += 1;
    } else if (char === '"') {
      const value = readString();
      const frame = frames.at(-1);
      let next = index;
      while (/\s/.test(text[next] ?? '')) next += 1;
      if (frame?.keys !== undefined && text[next] === ':') {
        const path = [
          ...frames
            .slice(0, -1)
            .map((open) => open.key)
            .filter((key) => key !== undefined),
          value,
        ].join('.');
        if (frame.keys.has(value)) return path;
        frame.keys.add(value);
        frame.key = value;
      }
    } else index += 1;
  }
  return undefined;
}

export { duplicateJsonKey };
