import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { encode, envelope, errorPayload, formatOf, intParam, methodOf, required, SubsonicError } from './protocol.js';

const q = (s: string): URLSearchParams => new URLSearchParams(s);

describe('the Subsonic response encoding', () => {
  const body = { ...envelope('ok', '0.1.0'), similarSongs2: { song: [{ id: 's1', title: 'A & "B" <C>', duration: 200, isDir: false }, { id: 's2', title: 'D' }] } };

  it('writes JSON inside subsonic-response, with the envelope fields of OpenSubsonic', () => {
    const r = encode({ format: 'json' }, body);
    expect(r.contentType).toBe('application/json; charset=utf-8');
    expect(JSON.parse(r.body)).toEqual({ 'subsonic-response': { status: 'ok', version: '1.16.1', type: 'segue', serverVersion: '0.1.0', openSubsonic: true, similarSongs2: { song: [{ id: 's1', title: 'A & "B" <C>', duration: 200, isDir: false }, { id: 's2', title: 'D' }] } } });
  });

  it('writes XML as the 1.16.1 schema does: scalars as attributes, objects as elements, arrays repeated, escaped', () => {
    const r = encode({ format: 'xml' }, body);
    expect(r.contentType).toBe('text/xml; charset=utf-8');
    expect(r.body).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<subsonic-response xmlns="http://subsonic.org/restapi" status="ok" version="1.16.1" type="segue" serverVersion="0.1.0" openSubsonic="true">'
      + '<similarSongs2><song id="s1" title="A &amp; &quot;B&quot; &lt;C&gt;" duration="200" isDir="false"/><song id="s2" title="D"/></similarSongs2></subsonic-response>');
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(r.body) as { 'subsonic-response': { similarSongs2: { song: Array<{ title: string }> } } };
    expect(parsed['subsonic-response'].similarSongs2.song[0]!.title).toBe('A & "B" <C>');
  });

  it('writes an array of scalars as repeated elements with text (OpenSubsonic extension versions), and drops characters XML cannot hold', () => {
    const r = encode({ format: 'xml' }, { openSubsonicExtensions: [{ name: 'a\u0001b', versions: [1, 2] }] });
    expect(r.body).toContain('<openSubsonicExtensions name="ab"><versions>1</versions><versions>2</versions></openSubsonicExtensions>');
  });

  it('writes errors with code and message, and JSONP with its callback', () => {
    const e = errorPayload(new SubsonicError(70, 'song not found: "x"'), '0.1.0');
    expect(encode({ format: 'xml' }, e).body).toContain('status="failed" version="1.16.1" type="segue" serverVersion="0.1.0" openSubsonic="true"><error code="70" message="song not found: &quot;x&quot;"/>');
    const p = encode(formatOf(q('f=jsonp&callback=cb.done')), e);
    expect(p.contentType).toBe('application/javascript; charset=utf-8');
    expect(p.body).toMatch(/^cb\.done\(\{"subsonic-response":\{"status":"failed".*"error":\{"code":70/);
  });

  it('reads the format: xml by default and for unknown values; jsonp needs a plain function name', () => {
    expect(formatOf(q(''))).toEqual({ format: 'xml' });
    expect(formatOf(q('f=json'))).toEqual({ format: 'json' });
    expect(formatOf(q('f=yaml'))).toEqual({ format: 'xml' });
    expect(() => formatOf(q('f=jsonp'))).toThrow(/callback/);
    expect(() => formatOf(q('f=jsonp&callback=alert(1)'))).toThrow(/callback/);
  });

  it('reads methods and parameters, with error 10 for a missing one and error 0 naming a bad one', () => {
    expect(methodOf('/rest/getSimilarSongs2.view')).toBe('getSimilarSongs2');
    expect(methodOf('/rest/ping')).toBe('ping');
    expect(methodOf('/index.html')).toBeUndefined();
    expect(() => required(q('id='), 'id')).toThrow(expect.objectContaining({ code: 10, message: 'required parameter is missing: id' }));
    expect(intParam(q(''), 'count', 50, 1, 500)).toBe(50);
    expect(intParam(q('count=7'), 'count', 50, 1, 500)).toBe(7);
    expect(() => intParam(q('count=0'), 'count', 50, 1, 500)).toThrow(expect.objectContaining({ code: 0, message: 'count must be a whole number in 1..500, got "0"' }));
    expect(() => intParam(q('count=2.5'), 'count', 50, 1, 500)).toThrow(/whole number/);
  });
});
