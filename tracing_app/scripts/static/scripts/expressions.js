/*
 * The call scripts' expression language in the browser: the same XPath 1.0 subset as
 * tracing_app/scripts/expressions (lexer, parser, values, operators, functions), so that
 * branching, calculations and validation keep working while the network is down. The
 * server stays the authority: every answer is saved and checked there when it returns.
 *
 * Proved equal to the server's evaluator by tests/tracing_app/expression_corpus.json,
 * run on both sides (test_expression_corpus.py). Functions that need the whole form
 * (count, sum, join…, over repeats), labels (jr:choice-name), dates formatted for
 * people, regular expressions (Python's and JavaScript's syntax differ) or randomness
 * throw Unsupported: the page then keeps the server's last answer for that question.
 *
 * Usage: TracingExpressions.parse(text).evaluate(context) with a context of
 * { value(name), current(), today() /* "YYYY-MM-DD" *\/, now() /* ISO string *\/ }.
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) { module.exports = api; } else { root.TracingExpressions = api; }
}(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var MAX_LENGTH = 10000;
  var MAX_DEPTH = 100;
  var WHITESPACE = " \t\r\n";
  var OPERATOR_NAMES = { and: 1, or: 1, div: 1, mod: 1 };
  var LEVEL_OF = { or: 0, and: 1, "=": 2, "!=": 2, "<": 3, "<=": 3, ">": 3, ">=": 3, "+": 4, "-": 4, "*": 5, div: 5, mod: 5 };
  var NAME = /[\p{L}_][\p{L}\p{N}\p{M}_.\-]*(?::[\p{L}_][\p{L}\p{N}\p{M}_.\-]*)?/uy;
  var FIELD_NAME = /^[\p{L}_][\p{L}\p{N}\p{M}_.\-]*$/u;
  var NUMBER = /[0-9]+(?:\.[0-9]*)?|\.[0-9]+/y;
  var NUMBER_TAIL = /[\p{L}\p{N}_.]+/uy;

  function SyntaxProblem(message, position) { this.message = message; this.position = position; }
  SyntaxProblem.prototype = Object.create(Error.prototype);
  SyntaxProblem.prototype.name = "ExpressionSyntaxError";
  function Unsupported(name) { this.message = name + "() is evaluated by the server only"; }
  Unsupported.prototype = Object.create(Error.prototype);
  Unsupported.prototype.name = "Unsupported";

  // --- values -------------------------------------------------------------------------

  var NUMBER_TEXT = /^[ \t\r\n]*(-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))[ \t\r\n]*$/;
  var DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
  var DATETIME = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?$/;
  var TIME = /^([0-9]{2}):([0-9]{2})(?::([0-9]{2})(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?$/;
  var DAY_MS = 86400000;

  function strip(text) {
    var start = 0, end = text.length;
    while (start < end && WHITESPACE.indexOf(text.charAt(start)) >= 0) { start += 1; }
    while (end > start && WHITESPACE.indexOf(text.charAt(end - 1)) >= 0) { end -= 1; }
    return text.slice(start, end);
  }

  function toBoolean(value) {
    if (typeof value === "boolean") { return value; }
    if (typeof value === "string") { return value !== ""; }
    return !(value === 0 || value !== value);
  }

  function toNumber(value) {
    if (typeof value === "number") { return value; }
    if (typeof value === "boolean") { return value ? 1 : 0; }
    var match = NUMBER_TEXT.exec(value);
    if (match) { return parseFloat(match[1]); }
    return dateToDays(strip(value));
  }

  function expandExponent(text) {
    // "1.5e-7" -> "0.00000015", "1e+21" -> "1000000000000000000000"
    var parts = text.split("e"), mantissa = parts[0], exponent = parseInt(parts[1], 10);
    var negative = mantissa.charAt(0) === "-";
    if (negative) { mantissa = mantissa.slice(1); }
    var dot = mantissa.indexOf("."), digits = mantissa.replace(".", "");
    var point = (dot < 0 ? mantissa.length : dot) + exponent;
    if (point <= 0) { digits = "0." + "0".repeat(-point) + digits; }
    else if (point >= digits.length) { digits = digits + "0".repeat(point - digits.length); }
    else { digits = digits.slice(0, point) + "." + digits.slice(point); }
    return (negative ? "-" : "") + digits;
  }

  function plainDecimal(number) {
    var text = String(number);
    if (text.indexOf("e") >= 0) { text = expandExponent(text); }
    return text;
  }

  function numberToString(number) {
    if (number !== number) { return "NaN"; }
    if (number === Infinity) { return "Infinity"; }
    if (number === -Infinity) { return "-Infinity"; }
    if (Number.isInteger(number) && number > -1e16 && number < 1e16) { return String(number === 0 ? 0 : number); }
    var text = plainDecimal(number);
    if (text.indexOf(".") >= 0) { text = text.replace(/0+$/, "").replace(/\.$/, ""); }
    return text;
  }

  function toString(value) {
    if (typeof value === "string") { return value; }
    if (typeof value === "boolean") { return value ? "true" : "false"; }
    return numberToString(value);
  }

  function daysInMonth(year, month) {
    return [31, (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  }

  function utcMs(year, month, day, hour, minute, second) {
    var moment = new Date(0);
    moment.setUTCFullYear(year, month - 1, day);
    moment.setUTCHours(hour, minute, second, 0);
    return moment.getTime();
  }

  function validDate(year, month, day) {
    return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
  }

  var MIN_MS = utcMs(1, 1, 1, 0, 0, 0), MAX_MS = utcMs(9999, 12, 31, 23, 59, 59) + 999;

  /* Microseconds since 1970 of an ISO date-time (UTC when no offset), null if not one,
     NaN if a field is out of range. */
  function datetimeMicros(text) {
    var match = DATETIME.exec(text);
    if (!match) { return null; }
    var year = +match[1], month = +match[2], day = +match[3], hour = +match[4], minute = +match[5];
    var second = match[6] ? +match[6] : 0;
    if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) { return NaN; }
    var micro = match[7] ? Math.min(Math.round(parseFloat(match[7]) * 1e6), 999999) : 0;
    var ms = utcMs(year, month, day, hour, minute, second);
    var offset = match[8];
    if (offset && offset !== "Z") {
      var sign = offset.charAt(0) === "-" ? -1 : 1, digits = offset.slice(1).replace(":", "");
      ms -= sign * (parseInt(digits.slice(0, 2), 10) * 3600000 + parseInt(digits.slice(2), 10) * 60000);
    }
    if (ms < MIN_MS || ms > MAX_MS) { return NaN; }
    return ms * 1000 + micro;
  }

  function dateToDays(text) {
    if (text.length < 10 || text.charAt(4) !== "-") { return NaN; }
    if (text.length === 10) {
      if (!DATE.test(text)) { return NaN; }
      var year = +text.slice(0, 4), month = +text.slice(5, 7), day = +text.slice(8, 10);
      if (!validDate(year, month, day)) { return NaN; }
      return utcMs(year, month, day, 0, 0, 0) / DAY_MS;
    }
    var micros = datetimeMicros(text);
    if (micros === null || micros !== micros) { return NaN; }
    var days = Math.floor(micros / (DAY_MS * 1000));
    var rest = micros - days * DAY_MS * 1000;
    var seconds = Math.floor(rest / 1e6), microsecond = rest - seconds * 1e6;
    return days + (seconds + microsecond / 1e6) / 86400;
  }

  function timeToSeconds(text) {
    var match = TIME.exec(strip(text));
    if (!match) { return null; }
    var hours = +match[1], minutes = +match[2], seconds = match[3] ? +match[3] : 0;
    if (hours > 23 || minutes > 59 || seconds > 59) { return null; }
    return hours * 3600 + minutes * 60 + seconds + (match[4] ? parseFloat(match[4]) : 0);
  }

  function pad(number, width) { var text = String(number); while (text.length < width) { text = "0" + text; } return text; }

  function daysToDate(days) {
    if (!isFinite(days)) { return ""; }
    var ms = Math.floor(days) * DAY_MS;
    if (ms < MIN_MS || ms > MAX_MS) { return ""; }
    var moment = new Date(ms);
    return pad(moment.getUTCFullYear(), 4) + "-" + pad(moment.getUTCMonth() + 1, 2) + "-" + pad(moment.getUTCDate(), 2);
  }

  function words(text) { var trimmed = text.trim(); return trimmed ? trimmed.split(/\s+/u) : []; }
  function codePoints(text) { return Array.from(text); }

  // --- operators ----------------------------------------------------------------------

  function equals(left, right) {
    if (typeof left === "boolean" || typeof right === "boolean") { return toBoolean(left) === toBoolean(right); }
    if (typeof left === "number" || typeof right === "number") { return toNumber(left) === toNumber(right); }
    return left === right;
  }

  function ordered(compare) {
    return function (left, right) {
      if (typeof left === "string" && typeof right === "string") {
        var leftTime = timeToSeconds(left);
        if (leftTime !== null) {
          var rightTime = timeToSeconds(right);
          if (rightTime !== null) { return compare(leftTime, rightTime); }
        }
      }
      return compare(toNumber(left), toNumber(right));
    };
  }

  function divide(left, right) {
    if (right === 0) {
      if (left === 0 || left !== left) { return NaN; }
      return (left > 0 ? 1 : -1) * (Object.is(right, -0) ? -1 : 1) * Infinity;
    }
    return left / right;
  }

  function modulo(left, right) {
    if (right === 0 || !isFinite(left) || right !== right) { return NaN; }
    return left % right;
  }

  function numeric(operation) { return function (left, right) { return operation(toNumber(left), toNumber(right)); }; }

  var OPERATORS = {
    "=": equals,
    // NaN = NaN is false, so NaN != NaN is true: the negation of "=" in every case.
    "!=": function (left, right) { return !equals(left, right); },
    "<": ordered(function (a, b) { return a < b; }),
    "<=": ordered(function (a, b) { return a <= b; }),
    ">": ordered(function (a, b) { return a > b; }),
    ">=": ordered(function (a, b) { return a >= b; }),
    "+": numeric(function (a, b) { return a + b; }),
    "-": numeric(function (a, b) { return a - b; }),
    "*": numeric(function (a, b) { return a * b; }),
    div: numeric(divide),
    mod: numeric(modulo)
  };

  // --- functions ----------------------------------------------------------------------

  function roundHalfAway(number, places) {
    var text = plainDecimal(Math.abs(number));
    var dot = text.indexOf(".");
    var integer = dot < 0 ? text : text.slice(0, dot), fraction = dot < 0 ? "" : text.slice(dot + 1);
    var digits = integer + fraction, point = integer.length + places;  // keep digits[0, point)
    if (point >= digits.length) { return number; }
    if (point < 0) { return 0 * (number < 0 ? -1 : 1); }
    var kept = digits.slice(0, point) || "0";
    var up = digits.charAt(point) >= "5";
    var value = BigInt(kept) + (up ? 1n : 0n);
    var result = value.toString();
    var decimal;
    if (places >= 0) {
      var intDigits = result.length - places;
      decimal = intDigits > 0 ? result.slice(0, intDigits) + "." + result.slice(intDigits) : "0." + "0".repeat(-intDigits) + result;
    } else {
      decimal = result + "0".repeat(-places);
    }
    var rounded = parseFloat(decimal);
    return number < 0 ? -rounded : rounded;
  }

  function index(number, length) {
    if (number !== number) { return 0; }
    return Math.trunc(Math.max(-length - 1, Math.min(number, length + 1)));
  }

  function substr(value, start, end) {
    var text = codePoints(toString(value)), length = text.length;
    var first = index(toNumber(start), length);
    var last = end === undefined ? length : index(toNumber(end), length);
    if (first < 0) { first += length; }
    if (last < 0) { last += length; }
    return text.slice(Math.max(first, 0), Math.max(last, 0)).join("");
  }

  function safe(operation, domain) {
    return function () {  // (context, ...values)
      var numbers = Array.prototype.slice.call(arguments, 1).map(toNumber);
      if (domain && !domain.apply(null, numbers)) { return NaN; }
      return operation.apply(null, numbers);
    };
  }

  function date(value) {
    if (typeof value === "string") {
      var text = strip(value);
      if (text.length > 10) {
        var micros = datetimeMicros(text);
        if (micros !== null) { return micros === micros ? text.slice(0, 10) : ""; }
      }
    }
    return daysToDate(toNumber(value));
  }

  function translate(value, source, target) {
    var mapping = new Map(), from = codePoints(toString(source)), to = codePoints(toString(target));
    from.forEach(function (character, position) {
      if (!mapping.has(character)) { mapping.set(character, position < to.length ? to[position] : ""); }
    });
    return codePoints(toString(value)).map(function (c) { return mapping.has(c) ? mapping.get(c) : c; }).join("");
  }

  // name: [min, max (-1: any), implementation (null: server only), lazy]
  var FUNCTIONS = {
    "if": [3, 3, function (ctx, condition, then, otherwise) { return toBoolean(condition(ctx)) ? then(ctx) : otherwise(ctx); }, true],
    coalesce: [2, 2, function (ctx, first, second) { var value = first(ctx); return toString(value) ? value : second(ctx); }, true],
    selected: [2, 2, function (ctx, answer, choice) { return words(toString(answer)).indexOf(toString(choice).trim()) >= 0; }],
    "count-selected": [1, 1, function (ctx, value) { return words(toString(value)).length; }],
    concat: [1, -1, function (ctx) { return Array.prototype.slice.call(arguments, 1).map(toString).join(""); }],
    regex: [2, 2, null],
    "string-length": [1, 1, function (ctx, value) { return codePoints(toString(value)).length; }],
    substr: [2, 3, function (ctx, value, start, end) { return substr(value, start, end); }],
    contains: [2, 2, function (ctx, a, b) { return toString(a).indexOf(toString(b)) >= 0; }],
    "starts-with": [2, 2, function (ctx, a, b) { return toString(a).startsWith(toString(b)); }],
    "ends-with": [2, 2, function (ctx, a, b) { return toString(a).endsWith(toString(b)); }],
    not: [1, 1, function (ctx, value) { return !toBoolean(value); }],
    "true": [0, 0, function () { return true; }],
    "false": [0, 0, function () { return false; }],
    "boolean": [1, 1, function (ctx, value) { return toBoolean(value); }],
    number: [1, 1, function (ctx, value) { return toNumber(value); }],
    string: [1, 1, function (ctx, value) { return toString(value); }],
    "int": [1, 1, function (ctx, value) { var n = toNumber(value); return isFinite(n) ? Math.trunc(n) : n; }],
    round: [1, 2, function (ctx, value, digits) {
      var number = toNumber(value), places = digits === undefined ? 0 : toNumber(digits);
      if (!isFinite(number)) { return number; }
      places = isFinite(places) ? Math.max(-400, Math.min(Math.trunc(places), 400)) : 0;
      return roundHalfAway(number, places);
    }],
    today: [0, 0, function (ctx) { return ctx.today(); }],
    now: [0, 0, function (ctx) { return ctx.now(); }],
    date: [1, 1, function (ctx, value) { return date(value); }],
    "jr:choice-name": [2, 2, null],
    "indexed-repeat": [3, -1, null],
    sqrt: [1, 1, safe(Math.sqrt)],
    exp: [1, 1, safe(Math.exp)],
    exp10: [1, 1, safe(function (x) { return Math.pow(10, x); })],
    // Python's math refuses log(0) (the server answers NaN) where JavaScript gives -Infinity.
    log: [1, 1, safe(Math.log, function (x) { return !(x <= 0); })],
    log10: [1, 1, safe(Math.log10, function (x) { return !(x <= 0); })],
    abs: [1, 1, safe(Math.abs)],
    floor: [1, 1, safe(Math.floor)],
    ceiling: [1, 1, safe(Math.ceil)],
    sin: [1, 1, safe(Math.sin)],
    cos: [1, 1, safe(Math.cos)],
    tan: [1, 1, safe(Math.tan)],
    asin: [1, 1, safe(Math.asin)],
    acos: [1, 1, safe(Math.acos)],
    atan: [1, 1, safe(Math.atan)],
    atan2: [2, 2, safe(Math.atan2)],
    pow: [2, 2, safe(function (base, exponent) { return base === 0 && exponent < 0 ? Infinity : Math.pow(base, exponent); })],
    pi: [0, 0, function () { return Math.PI; }],
    count: [1, 1, null],
    "count-non-empty": [1, 1, null],
    sum: [1, 1, null],
    max: [1, -1, null],
    min: [1, -1, null],
    join: [2, -1, null],
    "selected-at": [2, 2, function (ctx, answer, position) {
      var list = words(toString(answer)), number = toNumber(position);
      return number !== number || number < 0 || number >= list.length ? "" : list[Math.trunc(number)];
    }],
    "boolean-from-string": [1, 1, function (ctx, value) { var text = toString(value).trim(); return text === "true" || text === "1"; }],
    "normalize-space": [1, 1, function (ctx, value) { return words(toString(value)).join(" "); }],
    translate: [3, 3, function (ctx, value, source, target) { return translate(value, source, target); }],
    "substring-before": [2, 2, function (ctx, value, part) {
      var text = toString(value), separator = toString(part), at = text.indexOf(separator);
      return separator && at >= 0 ? text.slice(0, at) : "";
    }],
    "substring-after": [2, 2, function (ctx, value, part) {
      var text = toString(value), separator = toString(part);
      if (!separator) { return text; }
      var at = text.indexOf(separator);
      return at >= 0 ? text.slice(at + separator.length) : "";
    }],
    "format-date": [2, 2, null],
    "format-date-time": [2, 2, null],
    "decimal-date-time": [1, 1, null],
    "decimal-time": [1, 1, null],
    "date-time": [1, 1, null],
    digest: [2, 3, null],
    uuid: [0, 1, null],
    once: [1, 1, null],
    position: [0, 0, null]
  };

  function arityProblem(name, spec, count) {
    var low = spec[0], high = spec[1];
    if (low <= count && (high < 0 || count <= high)) { return null; }
    var expected = high < 0 ? "at least " + low : high === low ? String(low) : high === low + 1 ? low + " or " + high : low + " to " + high;
    var noun = expected === "1" || expected === "at least 1" ? "argument" : "arguments";
    return name + "() takes " + expected + " " + noun + ", not " + count;
  }

  // --- lexer --------------------------------------------------------------------------

  var ENDS_OPERAND = { number: 1, string: 1, reference: 1, dot: 1, rparen: 1 };

  function tokenize(text) {
    if (text.length > MAX_LENGTH) { throw new SyntaxProblem("Expression is longer than " + MAX_LENGTH + " characters", MAX_LENGTH); }
    var tokens = [], position = 0;
    while (position < text.length) {
      var char = text.charAt(position);
      if (WHITESPACE.indexOf(char) >= 0) { position += 1; continue; }
      var afterOperand = tokens.length > 0 && ENDS_OPERAND[tokens[tokens.length - 1].kind] === 1;
      var token = nextToken(text, position, char, afterOperand);
      tokens.push(token);
      position = token.end;
    }
    tokens.push({ kind: "end", value: "", position: text.length, end: text.length });
    return tokens;
  }

  function token(kind, value, position, end) { return { kind: kind, value: value, position: position, end: end === undefined ? position + value.length : end }; }

  function nextToken(text, position, char, afterOperand) {
    var two = text.slice(position, position + 2);
    if (two === "!=" || two === "<=" || two === ">=") { return token("operator", two, position); }
    if (two === "==") { throw new SyntaxProblem("'==' is not an operator; use '='", position); }
    if ("=<>+-".indexOf(char) >= 0) { return token("operator", char, position); }
    if (char === "*") {
      if (!afterOperand) { throw new SyntaxProblem("Expected a value, found '*'", position); }
      return token("operator", char, position);
    }
    if (char === "'" || char === "\"") {
      var close = text.indexOf(char, position + 1);
      if (close < 0) { throw new SyntaxProblem("Unclosed string", position); }
      return token("string", text.slice(position + 1, close), position, close + 1);
    }
    if (char === "$") {
      if (text.charAt(position + 1) !== "{") { throw new SyntaxProblem("Invalid reference; write ${name}", position); }
      var end = text.indexOf("}", position + 2);
      if (end < 0) { throw new SyntaxProblem("Unclosed reference; write ${name}", position); }
      var name = text.slice(position + 2, end);
      if (!name) { throw new SyntaxProblem("Empty reference '${}'", position); }
      if (!FIELD_NAME.test(name)) { throw new SyntaxProblem("Invalid field name in reference", position); }
      return token("reference", name, position, end + 1);
    }
    if ("0123456789".indexOf(char) >= 0 || (char === "." && /[0-9]/.test(text.charAt(position + 1)))) {
      NUMBER.lastIndex = position;
      var number = NUMBER.exec(text);
      NUMBER_TAIL.lastIndex = number ? position + number[0].length : position;
      if (!number || NUMBER_TAIL.exec(text)) { throw new SyntaxProblem("Invalid number", position); }
      return token("number", number[0], position);
    }
    if (char === ".") {
      if (two === "..") {
        var before = strip(text.slice(0, position)), after = strip(text.slice(position + 2));
        if (before.endsWith("(") && strip(before.slice(0, -1)).endsWith("position") && after.startsWith(")")) {
          return token("parent", two, position);
        }
        throw new SyntaxProblem("'..' is not supported; write ${name}", position);
      }
      return token("dot", char, position);
    }
    if (char === "(") { return token("lparen", char, position); }
    if (char === ")") { return token("rparen", char, position); }
    if (char === ",") { return token("comma", char, position); }
    NAME.lastIndex = position;
    var match = NAME.exec(text);
    if (match) {
      if (afterOperand && OPERATOR_NAMES[match[0]] === 1) { return token("operator", match[0], position); }
      return token("name", match[0], position);
    }
    throw new SyntaxProblem("Unexpected character", position);
  }

  // --- parser and evaluation ----------------------------------------------------------

  function Parser(tokens) { this.tokens = tokens; this.index = 0; this.depth = 0; }
  Parser.prototype.token = function () { return this.tokens[this.index]; };
  Parser.prototype.enter = function (at) {
    this.depth += 1;
    if (this.depth > MAX_DEPTH) { throw new SyntaxProblem("Expression is nested too deeply", at.position); }
  };
  Parser.prototype.level = function () {
    var current = this.token();
    return current.kind === "operator" ? LEVEL_OF[current.value] : null;
  };
  Parser.prototype.expect = function (kind) {
    if (this.token().kind !== kind) { throw new SyntaxProblem("Unexpected token", this.token().position); }
    this.index += 1;
  };
  Parser.prototype.parse = function () {
    var node = this.binary(0);
    if (this.token().kind !== "end") { throw new SyntaxProblem("Unexpected token", this.token().position); }
    return node;
  };
  Parser.prototype.binary = function (minLevel) {
    this.enter(this.token());
    var left = this.unary(), level;
    while ((level = this.level()) !== null && level >= minLevel) {
      var operands = [left], operators = [];
      while (this.level() === level) {
        operators.push(this.token().value);
        this.index += 1;
        operands.push(this.binary(level + 1));
      }
      left = { type: "operation", operands: operands, operators: operators };
    }
    this.depth -= 1;
    return left;
  };
  Parser.prototype.unary = function () {
    var minuses = 0;
    while (this.token().kind === "operator" && this.token().value === "-") {
      this.enter(this.token());
      minuses += 1;
      this.index += 1;
    }
    var node = this.primary();
    for (var i = 0; i < minuses; i += 1) { node = { type: "negate", operand: node }; }
    this.depth -= minuses;
    return node;
  };
  Parser.prototype.primary = function () {
    var current = this.token();
    this.index += 1;
    switch (current.kind) {
      case "number": return { type: "literal", value: parseFloat(current.value) };
      case "string": return { type: "literal", value: current.value };
      case "reference": return { type: "reference", name: current.value };
      case "dot": return { type: "current" };
      case "lparen":
        var node = this.binary(0);
        this.expect("rparen");
        return node;
      case "name": return this.call(current);
      default: throw new SyntaxProblem("Expected a value", current.position);
    }
  };
  Parser.prototype.call = function (name) {
    if (this.token().kind !== "lparen") { throw new SyntaxProblem("Unexpected name", name.position); }
    var spec = FUNCTIONS[name.value];
    if (!spec) { throw new SyntaxProblem("Unknown function '" + name.value + "'", name.position); }
    this.index += 1;
    if (name.value === "position" && this.token().kind === "parent") {
      this.index += 1;
      this.expect("rparen");
      return { type: "call", name: name.value, spec: spec, args: [] };
    }
    var args = [];
    if (this.token().kind !== "rparen") {
      args.push(this.binary(0));
      while (this.token().kind === "comma") { this.index += 1; args.push(this.binary(0)); }
    }
    this.expect("rparen");
    var problem = arityProblem(name.value, spec, args.length);
    if (problem) { throw new SyntaxProblem(problem, name.position); }
    checkLiterals(name.value, args, name.position);
    return { type: "call", name: name.value, spec: spec, args: args };
  };

  var DIGESTS = { "MD5": 1, "SHA-1": 1, "SHA-256": 1, "SHA-384": 1, "SHA-512": 1 };

  function checkLiterals(name, args, position) {
    if (name === "jr:choice-name") {
      var field = args[1], text = field.type === "literal" && typeof field.value === "string" ? strip(field.value) : "";
      if (!(text.startsWith("${") && text.endsWith("}") && FIELD_NAME.test(text.slice(2, -1)))) {
        throw new SyntaxProblem("The second argument of jr:choice-name() must be a quoted field", position);
      }
    } else if (name === "indexed-repeat") {
      var names = [args[0]].concat(args.filter(function (arg, i) { return i % 2 === 1; }));
      if (names.some(function (node) { return node.type !== "reference"; }) || args.length % 2 === 0) {
        throw new SyntaxProblem("Write indexed-repeat(${field}, ${repeat}, number)", position);
      }
    } else if (name === "digest" && args[1].type === "literal" && typeof args[1].value === "string") {
      if (DIGESTS[args[1].value.toUpperCase()] !== 1) { throw new SyntaxProblem("Unknown digest", position); }
    }
  }

  function evaluate(node, ctx) {
    switch (node.type) {
      case "literal": return node.value;
      case "reference": return ctx.value(node.name);
      case "current": return ctx.current();
      case "negate": return -toNumber(evaluate(node.operand, ctx));
      case "operation": return operation(node, ctx);
      default: return call(node, ctx);
    }
  }

  function operation(node, ctx) {
    var first = node.operators[0], i;
    if (first === "and") {
      for (i = 0; i < node.operands.length; i += 1) { if (!toBoolean(evaluate(node.operands[i], ctx))) { return false; } }
      return true;
    }
    if (first === "or") {
      for (i = 0; i < node.operands.length; i += 1) { if (toBoolean(evaluate(node.operands[i], ctx))) { return true; } }
      return false;
    }
    var value = evaluate(node.operands[0], ctx);
    for (i = 0; i < node.operators.length; i += 1) {
      value = OPERATORS[node.operators[i]](value, evaluate(node.operands[i + 1], ctx));
    }
    return value;
  }

  function call(node, ctx) {
    var implementation = node.spec[2];
    if (!implementation) { throw new Unsupported(node.name); }
    if (node.spec[3]) {
      return implementation.apply(null, [ctx].concat(node.args.map(function (arg) {
        return function (context) { return evaluate(arg, context); };
      })));
    }
    return implementation.apply(null, [ctx].concat(node.args.map(function (arg) { return evaluate(arg, ctx); })));
  }

  function references(node, found) {
    if (node.type === "reference") { found[node.name] = true; }
    (node.operands || node.args || (node.operand ? [node.operand] : [])).forEach(function (child) { references(child, found); });
    return found;
  }

  function parse(text) {
    if (typeof text !== "string") { throw new TypeError("An expression is a string"); }
    if (!strip(text)) { throw new SyntaxProblem("Empty expression", 0); }
    var tree = new Parser(tokenize(text)).parse();
    return {
      text: text,
      references: Object.keys(references(tree, {})),
      evaluate: function (ctx) { return evaluate(tree, ctx); },
      evaluateBoolean: function (ctx) { return toBoolean(evaluate(tree, ctx)); },
      evaluateString: function (ctx) { return toString(evaluate(tree, ctx)); }
    };
  }

  return {
    parse: parse,
    toBoolean: toBoolean,
    toNumber: toNumber,
    toString: toString,
    SyntaxProblem: SyntaxProblem,
    Unsupported: Unsupported
  };
}));
