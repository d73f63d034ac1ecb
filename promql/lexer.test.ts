import { describe, expect, it } from 'vitest';
import { describeToken, lex, type Token } from './lexer.js';

function kinds(input: string): string[] {
  return lex(input).map((t: Token) => (t.type === 'ERROR' ? `ERROR(${t.val})` : `${t.type}:${t.val}`));
}

describe('lexer', () => {
  it.each([
    ['sum by(job)', ['SUM:sum', 'BY:by', 'LEFT_PAREN:(', 'IDENTIFIER:job', 'RIGHT_PAREN:)', 'EOF:']],
    ['node:cpu:rate5m', ['METRIC_IDENTIFIER:node:cpu:rate5m', 'EOF:']],
    ['a!=b==c>=d<=e<f>g', ['IDENTIFIER:a', 'NEQ:!=', 'IDENTIFIER:b', 'EQLC:==', 'IDENTIFIER:c', 'GTE:>=', 'IDENTIFIER:d', 'LTE:<=', 'IDENTIFIER:e', 'LSS:<', 'IDENTIFIER:f', 'GTR:>', 'IDENTIFIER:g', 'EOF:']],
    ['x{sum=~"a",by!~\'b\',on!=`c`}', ['IDENTIFIER:x', 'LEFT_BRACE:{', 'IDENTIFIER:sum', 'EQL_REGEX:=~', 'STRING:"a"', 'COMMA:,', 'IDENTIFIER:by', 'NEQ_REGEX:!~', "STRING:'b'", 'COMMA:,', 'IDENTIFIER:on', 'NEQ:!=', 'STRING:`c`', 'RIGHT_BRACE:}', 'EOF:']],
    ['1 0x1F .5 1e3 1.5E-3 Inf nan NaN', ['NUMBER:1', 'NUMBER:0x1F', 'NUMBER:.5', 'NUMBER:1e3', 'NUMBER:1.5E-3', 'NUMBER:Inf', 'NUMBER:nan', 'NUMBER:NaN', 'EOF:']],
    ['5m 1h30m 1y 1w 1d 100ms', ['DURATION:5m', 'DURATION:1h30m', 'DURATION:1y', 'DURATION:1w', 'DURATION:1d', 'DURATION:100ms', 'EOF:']],
    ['x[5m:1m]', ['IDENTIFIER:x', 'LEFT_BRACKET:[', 'DURATION:5m', 'COLON::', 'DURATION:1m', 'RIGHT_BRACKET:]', 'EOF:']],
    ['x[ 5m x ]', ['IDENTIFIER:x', 'LEFT_BRACKET:[', 'DURATION:5m', 'COLON:x', 'RIGHT_BRACKET:]', 'EOF:']],
    ['a # comment\n+ b', ['IDENTIFIER:a', 'COMMENT:# comment', 'ADD:+', 'IDENTIFIER:b', 'EOF:']],
    ['foo @ start() offset -5m', ['IDENTIFIER:foo', 'AT:@', 'START:start', 'LEFT_PAREN:(', 'RIGHT_PAREN:)', 'OFFSET:offset', 'SUB:-', 'DURATION:5m', 'EOF:']],
    ['a AND b Or c unless d ATAN2 e', ['IDENTIFIER:a', 'LAND:AND', 'IDENTIFIER:b', 'LOR:Or', 'IDENTIFIER:c', 'LUNLESS:unless', 'IDENTIFIER:d', 'ATAN2:ATAN2', 'IDENTIFIER:e', 'EOF:']],
    ['"\\x41\\u00e9\\U0001F600\\101\\n\\\\\\""', ['STRING:"\\x41\\u00e9\\U0001F600\\101\\n\\\\\\""', 'EOF:']],
    ['`raw \\n "x"`', ['STRING:`raw \\n "x"`', 'EOF:']],
  ])('%j', (input, want) => {
    expect(kinds(input)).toEqual(want);
  });

  it.each([
    ['"abc', 'unterminated quoted string', 0],
    ['`abc', 'unterminated raw string', 0],
    ['x "a\\q"', "unknown escape sequence U+0071 'q'", 2],
    ['"\\x4g"', "illegal character U+0067 'g' in escape sequence", 0],
    ['"\\400"', 'escape sequence is an invalid Unicode code point', 0],
    ['"\\', 'escape sequence not terminated', 0],
    ['x[5]', 'missing unit character in duration', 2],
    ['x[5mx]', 'bad duration syntax: "5mx"', 2],
    ['1_0', 'bad number or duration syntax: "1"', 0],
    ['a $', "unexpected character: '$'", 2],
    ['a !', "unexpected character after '!': '�'", 2],
    ['a =~ b', "unexpected character after '=': '~'", 2],
    ['{a!b}', "unexpected character after '!' inside braces: 'b'", 2],
    ['{1}', "unexpected character inside braces: '1'", 1],
    ['{a{', "unexpected left brace '{'", 2],
    ['{', 'unexpected end of input inside braces', 1],
    [')', "unexpected right parenthesis ')'", 1],
    ['(', 'unclosed left parenthesis', 1],
    ['x[5m', 'unclosed left bracket', 4],
    [']', "unexpected right bracket ']'", 0],
    ['x[5m:1m:', "unexpected colon ':'", 7],
    ['x[5m[', "unexpected left bracket '['", 4],
  ])('%j fails with %j at %d', (input, msg, pos) => {
    const last = lex(input).at(-1)!;
    expect(last).toEqual({ type: 'ERROR', pos, val: msg });
  });

  it('describes tokens as Prometheus does', () => {
    const d = (input: string): string => describeToken(lex(input)[0]!);
    expect(d('foo')).toBe('identifier "foo"');
    expect(d('a:b')).toBe('metric identifier "a:b"');
    expect(d('1.5')).toBe('number "1.5"');
    expect(d('"a very long string"')).toBe('string "\\"a very lo"...');
    expect(d('by')).toBe('<by>');
    expect(d('+')).toBe('<op:+>');
    expect(d('and')).toBe('<op:and>');
    expect(d('SUM')).toBe('<aggr:SUM>');
    expect(d('start')).toBe('"start"');
    expect(d(',')).toBe('","');
    expect(d('@')).toBe('"<Item 57385>" <op:@>');
    expect(d('')).toBe('end of input');
  });
});
