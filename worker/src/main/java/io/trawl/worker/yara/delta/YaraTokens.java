package io.trawl.worker.yara.delta;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits YARA source into tokens, dropping whitespace and comments. Text strings, hex strings and regular expressions
 * stay whole, as written; everything else is an identifier (or number), a string reference ({@code $a}, {@code #a},
 * {@code @a}, {@code !a}) or one punctuation character. Enough to find rule boundaries and the identifiers a
 * condition uses, not a parser: libyara remains the judge of what compiles.
 */
final class YaraTokens {

	enum Kind {
		WORD, STRING_REFERENCE, TEXT, HEX, REGEX, PUNCTUATION
	}

	/** One token: its kind, where it starts and ends in the source, and the line it starts on. */
	record Token(Kind kind, int start, int end, int line, String text) {

		boolean is(String word) {
			return text.equals(word);
		}
	}

	private final String source;
	private final String file;
	private final List<Token> tokens = new ArrayList<>();
	private int at;
	private int line = 1;

	private YaraTokens(String source, String file) {
		this.source = source;
		this.file = file;
	}

	/**
	 * The tokens of one file's source.
	 * @throws UnreadableRulesException naming the file and line of an unterminated string, comment or literal
	 */
	static List<Token> of(String source, String file) {
		YaraTokens lexer = new YaraTokens(source, file);
		lexer.run();
		return lexer.tokens;
	}

	private void run() {
		while (skipBlanks()) {
			int start = at;
			int startLine = line;
			char c = source.charAt(at);
			Kind kind;
			if (c == '"') {
				kind = Kind.TEXT;
				text();
			}
			else if (c == '{' && previousIs("=")) {
				kind = Kind.HEX;
				hex();
			}
			else if (c == '/' && (previousIs("=") || previousIs("matches"))) {
				kind = Kind.REGEX;
				regex();
			}
			else if (isWordChar(c)) {
				kind = Kind.WORD;
				while (at < source.length() && isWordChar(source.charAt(at))) {
					at++;
				}
			}
			else if ("$#@!".indexOf(c) >= 0 && at + 1 < source.length() && isWordChar(source.charAt(at + 1))
					|| c == '$') {
				kind = Kind.STRING_REFERENCE;
				at++;
				while (at < source.length() && isWordChar(source.charAt(at))) {
					at++;
				}
			}
			else {
				kind = Kind.PUNCTUATION;
				at++;
			}
			tokens.add(new Token(kind, start, at, startLine, source.substring(start, at)));
		}
	}

	/** Moves past whitespace and comments; false at the end of the source. */
	private boolean skipBlanks() {
		while (at < source.length()) {
			char c = source.charAt(at);
			if (c == '\n') {
				line++;
				at++;
			}
			else if (Character.isWhitespace(c)) {
				at++;
			}
			else if (source.startsWith("//", at)) {
				while (at < source.length() && source.charAt(at) != '\n') {
					at++;
				}
			}
			else if (source.startsWith("/*", at)) {
				blockComment();
			}
			else {
				return true;
			}
		}
		return false;
	}

	private void blockComment() {
		int startLine = line;
		int end = source.indexOf("*/", at + 2);
		if (end < 0) {
			throw unreadable(startLine, "a /* comment is never closed with */");
		}
		line += count(source, at, end, '\n');
		at = end + 2;
	}

	private void text() {
		closedOnItsLine('"', "a text string is not closed with \" on the line where it starts");
	}

	/** Hex strings may hold whitespace and comments; a comment may even hold a closing brace. */
	private void hex() {
		int startLine = line;
		at++;
		while (skipBlanks()) {
			if (source.charAt(at++) == '}') {
				return;
			}
		}
		throw unreadable(startLine, "a hex string is not closed with }");
	}

	private void regex() {
		closedOnItsLine('/', "a regular expression is not closed with / on the line where it starts");
		while (at < source.length() && Character.isLetter(source.charAt(at))) {
			at++; // the modifiers, as in /abc/is
		}
	}

	/** Moves past a literal that ends with an unescaped {@code close} before the end of its line. */
	private void closedOnItsLine(char close, String problem) {
		int startLine = line;
		for (at++; at < source.length() && source.charAt(at) != '\n'; at++) {
			if (source.charAt(at) == '\\' && at + 1 < source.length() && source.charAt(at + 1) != '\n') {
				at++;
			}
			else if (source.charAt(at) == close) {
				at++;
				return;
			}
		}
		throw unreadable(startLine, problem);
	}

	private boolean previousIs(String text) {
		return !tokens.isEmpty() && tokens.get(tokens.size() - 1).is(text);
	}

	private UnreadableRulesException unreadable(int atLine, String problem) {
		return new UnreadableRulesException(file + ":" + atLine + ": " + problem + ".");
	}

	static boolean isWordChar(char c) {
		return c < 128 && (Character.isLetterOrDigit(c) || c == '_');
	}

	private static int count(String text, int from, int to, char c) {
		int n = 0;
		for (int i = from; i < to; i++) {
			n += text.charAt(i) == c ? 1 : 0;
		}
		return n;
	}
}
