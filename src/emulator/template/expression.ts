// ARM template expressions: `[func('a', 1).prop[0]]`, parsed into a small tree.

export type Node =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'property'; target: Node; name: string }
  | { kind: 'index'; target: Node; index: Node };

export class ExpressionError extends Error {}

export function parseExpression(source: string): Node {
  let at = 0;
  const fail = (what: string): never => {
    throw new ExpressionError(`Unable to parse language expression '${source}': ${what} at position ${at}.`);
  };
  const skip = () => {
    while (at < source.length && /\s/.test(source[at])) at++;
  };
  const expect = (ch: string) => {
    skip();
    if (source[at] !== ch) fail(`expected '${ch}'`);
    at++;
  };
  const identifier = (): string => {
    skip();
    const match = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(source.slice(at));
    if (!match) return fail('expected a function name');
    at += match[0].length;
    return match[0];
  };

  function primary(): Node {
    skip();
    const ch = source[at];
    if (ch === "'") {
      at++;
      let value = '';
      for (;;) {
        if (at >= source.length) fail('unterminated string literal');
        if (source[at] === "'") {
          if (source[at + 1] === "'") {
            value += "'";
            at += 2;
            continue;
          }
          at++;
          break;
        }
        value += source[at++];
      }
      return { kind: 'string', value };
    }
    if (ch !== undefined && /[-0-9]/.test(ch)) {
      const match = /^-?\d+(\.\d+)?/.exec(source.slice(at));
      if (!match) return fail('expected a number');
      at += match[0].length;
      return { kind: 'number', value: Number(match[0]) };
    }
    const name = identifier();
    expect('(');
    const args: Node[] = [];
    skip();
    if (source[at] !== ')') {
      for (;;) {
        args.push(expression());
        skip();
        if (source[at] === ',') {
          at++;
          continue;
        }
        break;
      }
    }
    expect(')');
    return { kind: 'call', name, args };
  }

  function expression(): Node {
    let node = primary();
    for (;;) {
      skip();
      if (source[at] === '.') {
        at++;
        const match = /^[A-Za-z_$][A-Za-z0-9_$-]*/.exec(source.slice(at));
        if (!match) fail('expected a property name');
        at += match![0].length;
        node = { kind: 'property', target: node, name: match![0] };
      } else if (source[at] === '[') {
        at++;
        const index = expression();
        expect(']');
        node = { kind: 'index', target: node, index };
      } else return node;
    }
  }

  const tree = expression();
  skip();
  if (at !== source.length) fail('unexpected text');
  return tree;
}
