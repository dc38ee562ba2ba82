/**
 * Indents a SOAP message for reading in the simulator's log: one element per
 * line, text kept inline. Display only; the bytes exchanged are not changed.
 */
export function prettyXml(xml: string): string {
  const lines = xml.trim().replace(/>\s*</g, '>\n<').split('\n');
  let depth = 0;
  const out: string[] = [];
  for (const line of lines) {
    const closing = line.startsWith('</');
    if (closing) depth = Math.max(0, depth - 1);
    out.push('  '.repeat(depth) + line);
    const opens =
      line.startsWith('<') &&
      !closing &&
      !line.startsWith('<?') &&
      !line.startsWith('<!') &&
      !line.endsWith('/>') &&
      !line.includes('</');
    if (opens) depth++;
  }
  return out.join('\n');
}
