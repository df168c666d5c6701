import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childElements, childText, decodeEntities, firstChild, parseXml, textOf, XmlParseError } from './xml.ts';

test('elements, attributes in either quote, self-closing tags and nesting', () => {
  const root = parseXml(`<?xml version="1.0" encoding="UTF-8"?>
    <score a="1" b='two' c = "x &gt; y"><empty/><empty x="1" /><part id="P1"><note>text</note></part></score>`);
  assert.equal(root.name, 'score');
  assert.deepEqual(root.attributes, { a: '1', b: 'two', c: 'x > y' });
  assert.deepEqual(
    childElements(root).map((e) => e.name),
    ['empty', 'empty', 'part'],
  );
  assert.deepEqual(childElements(root, 'empty')[1]!.attributes, { x: '1' });
  assert.deepEqual(childElements(root, 'empty')[0]!.children, []);
  assert.equal(childText(firstChild(root, 'part')!, 'note'), 'text');
  assert.equal(childText(root, 'missing'), undefined);
});

test('entities: predefined, decimal and hex; unknown ones and stray ampersands kept', () => {
  const root = parseXml('<t v="&quot;&apos;&#65;">&lt;a&gt; &amp; &#233;&#x263A; &nbsp; AT&T</t>');
  assert.equal(root.attributes.v, `"'A`);
  assert.equal(textOf(root), '<a> & é☺ &nbsp; AT&T');
  assert.equal(decodeEntities('&amp;amp;'), '&amp;');
  assert.equal(decodeEntities('&#x110000;'), '&#x110000;');
});

test('CDATA is literal; comments, processing instructions and the DOCTYPE are skipped', () => {
  const root = parseXml(`<?xml version="1.0"?>
<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 3.1 Partwise//EN"
  "http://www.musicxml.org/dtds/partwise.dtd" [ <!ENTITY x "y"> <!-- a > inside --> ]>
<!-- before the root -->
<r><![CDATA[<not a tag> &amp; ]]]]><![CDATA[>]]><!-- <ignored/> --><?pi data?><k>v</k></r>
<!-- after the root -->`);
  assert.equal(root.name, 'r');
  assert.equal(root.children[0], '<not a tag> &amp; ]]>');
  assert.deepEqual(
    childElements(root).map((e) => e.name),
    ['k'],
  );
});

test('whitespace-only text is dropped, other text kept whole across comments', () => {
  const root = parseXml('<r>\n  <a> spaced </a>\n  <b>one<!-- c -->two</b>\n</r>');
  assert.equal(root.children.length, 2);
  assert.deepEqual(firstChild(root, 'a')!.children, [' spaced ']);
  assert.deepEqual(firstChild(root, 'b')!.children, ['onetwo']);
});

test('a byte-order mark is ignored', () => {
  assert.equal(parseXml('\uFEFF<r/>').name, 'r');
});

test('malformed documents throw XmlParseError with a reason', () => {
  const cases: [string, RegExp][] = [
    ['', /no root element/],
    ['<a><b></a>', /does not match/],
    ['<a>', /never closed/],
    ['<a></a><b/>', /second root/],
    ['text<a/>', /outside the root/],
    ['<a/>text', /outside the root/],
    ['</a>', /nothing open/],
    ['<a x=1/>', /malformed start tag/],
    ["<a x='1/>", /malformed start tag/],
    ['<a><!-- never ends', /unterminated comment/],
    ['<a><![CDATA[ never ends', /unterminated CDATA/],
    ['<!DOCTYPE a [ <!ENTITY x "y">', /unterminated declaration/],
    ['<a></a', /unterminated end tag/],
  ];
  for (const [xml, reason] of cases) {
    assert.throws(
      () => parseXml(xml),
      (error: unknown) => error instanceof XmlParseError && reason.test(error.message),
      xml,
    );
  }
});

test('deep nesting does not overflow the stack', () => {
  const depth = 100_000;
  const root = parseXml('<a>'.repeat(depth) + '</a>'.repeat(depth));
  let level = 1;
  for (let e = root; e.children.length; e = e.children[0] as typeof root) level++;
  assert.equal(level, depth);
});
