/**
 * Our descriptions, and the WSDL/XSD generated from them, against the
 * national contract files: structurally (type by type) and behaviourally (a
 * corpus of valid and mutated documents gets the same verdict from both).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { XmlDocument, XmlElement as LibXmlElement } from 'libxml2-wasm';
import { registrySchema } from '../../src/contracts/common.ts';
import { Update } from '../../src/contracts/engagement-index.ts';
import {
  contractBundles,
  generateContractFiles,
  schemaPath,
  wsdlPath,
} from '../../src/contracts/generate-files.ts';
import type {
  ComplexType,
  ContractBundle,
  ElementDecl,
  Interaction,
} from '../../src/contracts/model.ts';
import { NS } from '../../src/contracts/namespaces.ts';
import { monitoringBundle } from '../../src/contracts/monitoring.ts';
import { MakeBooking, schedulingBundle } from '../../src/contracts/scheduling.ts';
import { parseXml, type XmlElement } from '../../src/xml/parse.ts';
import { sampleDocument, writeTree } from '../support/contract-samples.ts';
import {
  generatedErrors,
  nationalContractsDir,
  nationalErrors,
  skipWithoutNationalContracts,
  subjectOfCarePatch,
} from '../support/national-schemas.ts';
import {
  compareModels,
  describedModel,
  emptyModel,
  readXsd,
  resolveRefs,
  type SchemaModel,
} from '../support/xsd-model.ts';

const skip = skipWithoutNationalContracts;

/** Where each bundle lives nationally, and which national schema files it covers. */
const packages = [
  {
    bundle: schedulingBundle,
    dir: 'TD_SCHEDULING_1_1_0_R',
    files: (path: string) => path.endsWith('.xsd'),
  },
  {
    bundle: monitoringBundle,
    dir: 'TD_MONITORING_1_0_0_R',
    files: (path: string) => path.endsWith('.xsd') && !path.includes('ws-addressing'),
  },
  {
    bundle: {
      folder: 'itintegration_engagementindex_1.0',
      coreSchemas: [registrySchema],
      interactions: [Update],
    } satisfies ContractBundle,
    dir: 'TD_ENGAGEMENTINDEX_1_0_R',
    files: (path: string) =>
      path.endsWith('.xsd') &&
      (path.startsWith('core_components/') || path.startsWith('interactions/UpdateInteraction/')),
  },
];

/** National declarations we deliberately do not describe, and why. */
const notDescribed = new Set([
  // Registry's ServiceContract(Type) serves GetSupportedServiceContracts, no interaction of ours.
  `{${NS.registry}}ServiceContractType`,
  `{${NS.registry}}ServiceContract`,
  // EI core declares DT, which Update never uses.
  `{${NS.engagementIndexCore}}DT`,
]);

const knownPatternFix =
  `type {${NS.schedulingCore}}SubjectOfCareIdType: patterns national ` +
  `${JSON.stringify([subjectOfCarePatch.from])}, ours ${JSON.stringify([subjectOfCarePatch.to])}`;

function listFiles(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const path = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? listFiles(dir, path) : [path];
  });
}

function nationalModel(pkg: (typeof packages)[number]): SchemaModel {
  const dir = join(nationalContractsDir!, pkg.dir);
  const model = emptyModel();
  for (const path of listFiles(dir).filter(pkg.files).sort())
    readXsd(readFileSync(join(dir, path), 'utf8'), `${pkg.dir}/${path}`, model);
  return resolveRefs(model);
}

function generatedModel(bundle: ContractBundle): SchemaModel {
  const model = emptyModel();
  const prefix = schemaPath(bundle, '');
  for (const file of generateContractFiles())
    if (file.path.startsWith(prefix)) readXsd(file.content, file.path, model);
  return resolveRefs(model);
}

function expectOnlyKnownDifferences(differences: string[], bundle: ContractBundle): void {
  const expected = bundle === schedulingBundle ? [knownPatternFix] : [];
  assert.deepEqual(differences, expected, `\n${differences.join('\n')}`);
}

describe('structural equivalence with the national schemas', { skip }, () => {
  for (const pkg of packages) {
    it(`our descriptions of ${pkg.dir} match it type by type, but for the pattern fix`, () => {
      const differences = compareModels(
        nationalModel(pkg),
        describedModel(pkg.bundle),
        notDescribed,
      );
      expectOnlyKnownDifferences(differences, pkg.bundle);
    });
  }

  for (const bundle of contractBundles) {
    const pkg = packages.find((p) => p.bundle === bundle)!;
    it(`our generated schemas/${bundle.folder} match ${pkg.dir}, but for the pattern fix`, () => {
      const differences = compareModels(nationalModel(pkg), generatedModel(bundle), notDescribed);
      expectOnlyKnownDifferences(differences, bundle);
    });
  }

  it('names the type and element of a transcription slip', () => {
    const [first, second, ...rest] = MakeBooking.response.elements;
    const slipped: Interaction = {
      ...MakeBooking,
      response: { ...MakeBooking.response, elements: [second!, first!, ...rest] },
      request: {
        ...MakeBooking.request,
        elements: MakeBooking.request.elements.map((e): ElementDecl =>
          e.name === 'notification' ? { ...e, minOccurs: 1 } : e,
        ),
      },
    };
    const bundle = {
      ...schedulingBundle,
      interactions: schedulingBundle.interactions.map((i) => (i === MakeBooking ? slipped : i)),
    };
    const differences = compareModels(
      nationalModel(packages[0]!),
      describedModel(bundle),
      notDescribed,
    );
    const rb = 'urn:riv:crm:scheduling:MakeBookingResponder:1';
    assert.ok(
      differences.some((d) =>
        d.startsWith(`type {${rb}}MakeBookingResponseType, element #1 (bookingId): name`),
      ),
      differences.join('\n'),
    );
    assert.ok(
      differences.some((d) =>
        d.startsWith(`type {${rb}}MakeBookingType, element #4 (notification): minOccurs`),
      ),
      differences.join('\n'),
    );
  });
});

// ---------------------------------------------------------------------------
// Behaviour: the same verdicts from national (patched) and generated schemas

interface Case {
  readonly label: string;
  readonly xml: string;
  readonly valid: boolean;
}

interface Located {
  readonly element: XmlElement;
  readonly parent: XmlElement;
  readonly decl: ElementDecl;
}

/** Every element below the root, with the declaration it was written for, depth first. */
function locate(root: XmlElement, type: ComplexType): Located[] {
  const out: Located[] = [];
  for (const element of root.children) {
    const decl = type.elements.find((d) => d.name === element.local && d.ns === element.ns);
    if (!decl) throw new Error(`sample has undeclared ${element.local}`);
    out.push({ element, parent: root, decl });
    if (decl.type.kind === 'complex') out.push(...locate(element, decl.type));
  }
  return out;
}

function mutate(
  xml: string,
  type: ComplexType,
  change: (root: XmlElement, all: Located[]) => boolean,
) {
  const root = parseXml(xml);
  return change(root, locate(root, type)) ? writeTree(root) : undefined;
}

const replaceChild = (parent: XmlElement, from: XmlElement, to: XmlElement | undefined) => {
  const i = parent.children.indexOf(from);
  if (to) parent.children[i] = to;
  else parent.children.splice(i, 1);
};

const isSimpleNamed = (decl: ElementDecl, name: string) =>
  decl.type.kind === 'simple' && decl.type.name === name;

function casesFor(label: string, name: string, ns: string, type: ComplexType): Case[] {
  const full = sampleDocument(name, ns, type, 'full');
  const minimal = sampleDocument(name, ns, type, 'minimal');
  const cases: Case[] = [
    { label: `${label}: every element filled`, xml: full, valid: true },
    { label: `${label}: mandatory elements only`, xml: minimal, valid: true },
  ];
  const add = (what: string, xml: string | undefined, valid: boolean) => {
    if (xml !== undefined) cases.push({ label: `${label}: ${what}`, xml, valid });
  };
  const mandatory = (l: Located) => l.decl.minOccurs === 1 && l.decl.maxOccurs === 1;
  add(
    'a mandatory element removed',
    mutate(full, type, (_, all) => {
      const target = all.find(mandatory);
      if (target) replaceChild(target.parent, target.element, undefined);
      return target !== undefined;
    }),
    false,
  );
  add(
    'two elements swapped',
    mutate(full, type, (root, all) => {
      for (const parent of [root, ...all.map((l) => l.element)]) {
        const i = parent.children.findIndex(
          (c, k) => k + 1 < parent.children.length && parent.children[k + 1]!.local !== c.local,
        );
        if (i >= 0) {
          const [a, b] = [parent.children[i]!, parent.children[i + 1]!];
          parent.children.splice(i, 2, b, a);
          return true;
        }
      }
      return false;
    }),
    false,
  );
  add(
    'a mandatory element in the wrong namespace',
    mutate(full, type, (_, all) => {
      const target = all.find(mandatory);
      if (target)
        replaceChild(target.parent, target.element, { ...target.element, ns: 'urn:example:wrong' });
      return target !== undefined;
    }),
    false,
  );
  add(
    'a TS with month 13',
    mutate(full, type, (_, all) => {
      const target = all.find((l) => isSimpleNamed(l.decl, 'TS'));
      if (target) target.element.text = '20261301000000';
      return target !== undefined;
    }),
    false,
  );
  add(
    'a DT with month 13',
    mutate(full, type, (_, all) => {
      const target = all.find((l) => isSimpleNamed(l.decl, 'DT'));
      if (target) target.element.text = '20261301';
      return target !== undefined;
    }),
    false,
  );
  const extra = (extraNs: string): XmlElement => ({
    ns: extraNs,
    local: 'extension',
    attributes: new Map(),
    children: [],
    text: 'x',
  });
  add(
    'an unknown ##other extension element at the end',
    mutate(full, type, (root) => root.children.push(extra('urn:example:extension')) > 0),
    true,
  );
  add(
    'an unknown element in its own namespace at the end',
    mutate(full, type, (root) => root.children.push(extra(ns)) > 0),
    false,
  );
  return cases;
}

function corpus(interaction: Interaction): Case[] {
  const { name, responderNs } = interaction;
  return [
    ...casesFor(`${name} request`, name, responderNs, interaction.request),
    ...casesFor(`${name} response`, `${name}Response`, responderNs, interaction.response),
  ];
}

function verdicts(cases: Case[], errorsOf: (xml: string) => string[]): string[] {
  return cases.flatMap((c) => {
    const errors = errorsOf(c.xml);
    return (errors.length === 0) === c.valid
      ? []
      : [
          `${c.label}: expected ${c.valid ? 'valid' : 'invalid'}, got ${errors.join(' | ') || 'valid'}`,
        ];
  });
}

describe('behavioural equivalence with the national schemas', { skip }, () => {
  for (const bundle of contractBundles) {
    for (const interaction of bundle.interactions) {
      it(`${interaction.name}: national and generated schemas agree with the expected verdicts`, () => {
        const cases = corpus(interaction);
        assert.ok(cases.length >= 12, `only ${cases.length} cases`);
        assert.deepEqual(verdicts(cases, nationalErrors), [], 'national');
        assert.deepEqual(verdicts(cases, generatedErrors), [], 'generated');
      });
    }
  }

  it('EI Update: documents our encoder writes get the expected verdicts from the national schema', () => {
    assert.deepEqual(verdicts(corpus(Update), nationalErrors), []);
  });

  it('the SOAP headers: Actor and LogicalAddress agree too', () => {
    const cases: Case[] = [
      {
        label: 'Actor',
        xml: `<Actor xmlns="${NS.headers}"><actorId>191212121212</actorId><actorType>subject_of_care_agent</actorType></Actor>`,
        valid: true,
      },
      {
        label: 'Actor with an unknown actorType',
        xml: `<Actor xmlns="${NS.headers}"><actorId>191212121212</actorId><actorType>doctor</actorType></Actor>`,
        valid: false,
      },
      {
        label: 'LogicalAddress',
        xml: `<LogicalAddress xmlns="${NS.registry}">SE2321000016-1hz5</LogicalAddress>`,
        valid: true,
      },
    ];
    assert.deepEqual(verdicts(cases, nationalErrors), []);
    assert.deepEqual(verdicts(cases, generatedErrors), []);
  });
});

// ---------------------------------------------------------------------------
// WSDLs

interface WsdlModel {
  operations: string[];
  soapActions: string[];
  styles: string[];
  transport: string | undefined;
  input: string[];
  output: string[];
  headers: string[];
  body: string[];
  outputBody: string[];
  service: string[];
}

function readWsdl(text: string): WsdlModel {
  const doc = XmlDocument.fromString(text.replace(/^\uFEFF/, ''));
  const ns = { wsdl: NS.wsdl, soap: NS.wsdlSoap };
  const all = (xpath: string) =>
    doc.find(xpath, ns).map((n) => (n instanceof LibXmlElement ? n : n.content));
  const attrs = (xpath: string, name: string) =>
    all(xpath).map((n) => (typeof n === 'string' ? n : (n.attr(name)?.value ?? '')));
  const resolveQName = (el: LibXmlElement, value: string) => {
    const [prefix, local] = value.includes(':') ? value.split(':') : ['', value];
    return `{${el.namespaces[prefix!]}}${local}`;
  };
  // Part order is kept: wsimport makes one method parameter per part, in this order, so
  // another order is another Java signature (GetAllCareTypes nationally lists actor first).
  const message = (name: string) =>
    all(`/wsdl:definitions/wsdl:message[@name='${name}']/wsdl:part`).map((p) => {
      const part = p as LibXmlElement;
      return `${part.attr('name')!.value} ${resolveQName(part, part.attr('element')!.value)}`;
    });
  const opInput = attrs('/wsdl:definitions/wsdl:portType/wsdl:operation/wsdl:input', 'message');
  const opOutput = attrs('/wsdl:definitions/wsdl:portType/wsdl:operation/wsdl:output', 'message');
  const local = (qname: string | undefined) => qname?.split(':').pop() ?? '';
  const model: WsdlModel = {
    operations: attrs('/wsdl:definitions/wsdl:portType/wsdl:operation', 'name'),
    soapActions: attrs('//wsdl:binding/wsdl:operation/soap:operation', 'soapAction'),
    styles: [
      ...attrs('//wsdl:binding/soap:binding', 'style'),
      ...attrs('//wsdl:binding/wsdl:operation/soap:operation', 'style'),
    ],
    transport: attrs('//wsdl:binding/soap:binding', 'transport')[0],
    input: message(local(opInput[0])),
    output: message(local(opOutput[0])),
    headers: all('//wsdl:binding/wsdl:operation/wsdl:input/soap:header')
      .map((h) => {
        const el = h as LibXmlElement;
        return `${el.attr('use')?.value} ${local(el.attr('message')?.value)} ${el.attr('part')?.value}`;
      })
      .sort(),
    body: attrs('//wsdl:binding/wsdl:operation/wsdl:input/soap:body', 'parts').concat(
      attrs('//wsdl:binding/wsdl:operation/wsdl:input/soap:body', 'use'),
    ),
    outputBody: attrs('//wsdl:binding/wsdl:operation/wsdl:output/soap:body', 'use'),
    service: [
      ...attrs('/wsdl:definitions/wsdl:service', 'name'),
      ...attrs('/wsdl:definitions/wsdl:service/wsdl:port', 'name'),
    ],
  };
  doc.dispose();
  return model;
}

describe('WSDL equivalence with the national WSDLs', { skip }, () => {
  const generated = new Map(generateContractFiles().map((f) => [f.path, f.content]));
  for (const bundle of contractBundles) {
    const pkg = packages.find((p) => p.bundle === bundle)!;
    for (const interaction of bundle.interactions) {
      it(`${interaction.name}: same operation, soapAction, parts in the same order, headers and style`, () => {
        const national = readWsdl(
          readFileSync(
            join(
              nationalContractsDir!,
              pkg.dir,
              'interactions',
              interaction.files.folder,
              interaction.files.wsdl,
            ),
            'utf8',
          ),
        );
        const ours = readWsdl(generated.get(wsdlPath(bundle, interaction))!);
        assert.deepEqual(ours, national);
        assert.deepEqual(ours.soapActions, [interaction.soapAction]);
        assert.deepEqual(ours.operations, [interaction.name]);
      });
    }
  }
});
