/**
 * The PDF kallelse every Kivra letter carries (Kivra: content "always contains
 * a PDF", channels.md §1), made with pdfkit.
 *
 * The bytes are a function of the letter alone: pdfkit stamps the current
 * time as CreationDate and derives the file ID from it, so both come from the
 * change's own time instead. A letter rendered twice is byte for byte the
 * same, which Kivra's duplicate control relies on (channels.md §1).
 *
 * @module
 */
import PDFDocument from 'pdfkit';
import type { LetterText } from './kivra-letter.ts';

/** What the PDF shows and the instant it is dated. */
export interface KallelsePdfInput {
  readonly text: LetterText;
  /** The letter's date (UTC ms): becomes the PDF's CreationDate. */
  readonly datedUtcMs: number;
  /** The sending unit, printed above the heading. */
  readonly sender: string;
}

const MARGIN = 56;
const LABEL_WIDTH = 120;

/** Renders the kallelse as one A4 PDF. Same input, same bytes. */
export function renderKallelsePdf(input: KallelsePdfInput): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    lang: 'sv-SE',
    info: {
      Title: input.text.heading,
      Creator: 'tidbok',
      Producer: 'tidbok (PDFKit)',
      CreationDate: new Date(input.datedUtcMs),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const width = doc.page.width - 2 * MARGIN;
  doc.font('Helvetica').fontSize(10).fillColor('#444444').text(input.sender, { width });
  doc.moveDown(1.5);
  doc.font('Helvetica-Bold').fontSize(20).fillColor('#000000').text(input.text.heading, { width });
  doc.moveDown(1);
  for (const block of input.text.blocks) {
    if (block.kind === 'paragraph') {
      doc.moveDown(0.5);
      doc.font('Helvetica').fontSize(12).text(block.text, MARGIN, doc.y, { width });
      doc.moveDown(0.5);
    } else {
      const y = doc.y;
      doc.font('Helvetica-Bold').fontSize(12).text(block.label, MARGIN, y, { width: LABEL_WIDTH });
      const labelBottom = doc.y;
      doc
        .font('Helvetica')
        .text(block.value, MARGIN + LABEL_WIDTH, y, { width: width - LABEL_WIDTH });
      doc.y = Math.max(doc.y, labelBottom) + 4;
    }
  }
  doc.end();
  return done;
}
