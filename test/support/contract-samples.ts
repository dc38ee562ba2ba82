/**
 * Realistic sample documents for any described type, written by the real
 * encoder, plus tree-level mutations for schema tests. Values follow the
 * type (TS, DT, personnummer, HSA-id, enumerations) and, for plain strings,
 * the element name.
 */
import type { ComplexType, Encodable, TypeDef } from '../../src/contracts/model.ts';
import { encodeElement, prefixesFor } from '../../src/xml/encode.ts';
import { escapeText } from '../../src/xml/escape.ts';
import type { XmlElement } from '../../src/xml/parse.ts';

const byTypeName: Record<string, string> = {
  SubjectOfCareIdType: '191212121212',
  RegisteredResidentIdentificationType: '191212121212',
  TS: '20261201093000',
  DT: '20261201',
  HsaIdType: 'SE2321000016-1hz5',
  OrgNoType: 'SE2321000016',
  ClinicalProcessInterestIdType: 'NA',
  LogicalAddressType: 'SE2321000016-1hz5',
  ActorIdType: '191212121212',
};

const byElementName: Record<string, string> = {
  endTimeExclusive: '20261201094500',
  endDateInclusive: '20261231',
  firstName: 'Tolvan',
  middleName: 'Mellan',
  lastName: 'Tolvansson',
  purpose: 'Återbesök hos distriktssköterska',
  reason: 'Kontroll av blodtryck',
  phone: '+46701234567',
  email: 'tolvan@example.se',
  address: 'Storgatan 1, 111 22 Stockholm',
  notification: 'Kom 10 minuter före utsatt tid.',
  serviceContractNamespace: 'urn:riv:crm:scheduling:MakeBookingResponder:1',
  logicalAddress: 'SE2321000016-1hz5',
  serviceDomain: 'riv:crm:scheduling',
  categorization: 'Booking',
  bookingId: 'b-8c1f2e',
  version: '0.1.0',
  title: 'Leg. sjuksköterska',
  coaddress: 'c/o Tolvansson',
  resourceName: 'Mottagningsrum 3',
  resourceID: 'rum-3',
  healthcare_facility_name: 'Vårdcentralen Tolvan',
  performerName: 'Leg. sjuksköterska Anna Svensson',
  timeTypeName: 'Återbesök 15 min',
  timeTypeID: 'tt-15',
  timeTypeId: 'tt-15',
  timeTypeIDs: 'tt-15',
  careTypeName: 'Distriktssköterska',
  careTypeID: 'ct-2',
  careTypeId: 'ct-2',
  careTypeIDs: 'ct-2',
  message: 'Jag kan tyvärr inte komma.',
  resultText: 'Bokningen är klar.',
  comment: 'Uppdaterat',
  businessObjectInstanceIdentifier: 'b-8c1f2e',
  name: 'store',
  value: 'sqlite',
};

function leaf(name: string, type: TypeDef): string | boolean {
  if (type.kind === 'builtin' && type.name === 'boolean') return true;
  if (type.kind === 'simple' && type.base === 'boolean') return true;
  if (type.kind === 'simple') {
    if (type.enumeration?.length) return type.enumeration[0]!;
    const special = (type.name === 'TS' || type.name === 'DT') && byElementName[name];
    if (special) return special;
    const fromType = byTypeName[type.name];
    if (fromType !== undefined) return fromType;
  }
  return byElementName[name] ?? `${name} 1`;
}

/**
 * A value for `type`: `full` fills every optional element and repeats each
 * repeated one twice; `minimal` gives mandatory elements only.
 */
export function sampleValue(type: ComplexType, mode: 'full' | 'minimal'): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const decl of type.elements) {
    const count =
      mode === 'full' ? (decl.maxOccurs === 'unbounded' ? 2 : 1) : decl.minOccurs === 1 ? 1 : 0;
    if (count === 0) continue;
    const one = () =>
      decl.type.kind === 'complex' ? sampleValue(decl.type, mode) : leaf(decl.name, decl.type);
    value[decl.name] = decl.maxOccurs === 'unbounded' ? Array.from({ length: count }, one) : one();
  }
  return value;
}

/** The element `{ns}name` of `type`, filled by {@link sampleValue} and written by the encoder. */
export function sampleDocument(
  name: string,
  ns: string,
  type: ComplexType,
  mode: 'full' | 'minimal',
): string {
  return encodeElement(
    name,
    ns,
    type,
    sampleValue(type, mode) as Encodable<ComplexType>,
    prefixesFor(type),
  );
}

/** Writes an element tree back to XML, declaring each namespace where it changes. */
export function writeTree(element: XmlElement, parentNs?: string): string {
  const decl = element.ns === parentNs ? '' : ` xmlns="${element.ns}"`;
  const inner = element.children.map((c) => writeTree(c, element.ns)).join('');
  return `<${element.local}${decl}>${inner || escapeText(element.text)}</${element.local}>`;
}

/** Depth-first search for the first element (root excluded) that `test` accepts, with its parent. */
export function findElement(
  root: XmlElement,
  test: (element: XmlElement, parent: XmlElement) => boolean,
): { element: XmlElement; parent: XmlElement } | undefined {
  for (const child of root.children) {
    if (test(child, root)) return { element: child, parent: root };
    const found = findElement(child, test);
    if (found) return found;
  }
  return undefined;
}
