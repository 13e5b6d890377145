package io.trawl.readmodel.dynamodb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A JSON document in an item. Large documents are gzipped into a binary attribute ({@code name + "Gz"}) so they stay
 * well under DynamoDB's 400 KB item limit; YARA string matches and repeated keys compress well.
 */
final class LargeText {

	static final int COMPRESS_ABOVE = 32 * 1024;
	/** Leaves room for the keys and the other attributes of the item. */
	static final int MAX_STORED = 380 * 1024;

	private LargeText() {
	}

	static void put(Map<String, AttributeValue> item, String name, String text, String what) {
		byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
		if (utf8.length <= COMPRESS_ABOVE) {
			item.put(name, AttributeValue.fromS(text));
			return;
		}
		byte[] zipped = gzip(utf8);
		if (zipped.length > MAX_STORED) {
			throw new IllegalArgumentException(what + " is " + utf8.length + " bytes (" + zipped.length
					+ " compressed), too large for a DynamoDB item of 400 KB.");
		}
		item.put(name + "Gz", AttributeValue.fromB(SdkBytes.fromByteArray(zipped)));
	}

	static String get(Map<String, AttributeValue> item, String name) {
		AttributeValue plain = item.get(name);
		if (plain != null) {
			return plain.s();
		}
		AttributeValue zipped = item.get(name + "Gz");
		return zipped == null ? null : gunzip(zipped.b().asByteArrayUnsafe());
	}

	private static byte[] gzip(byte[] bytes) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4 + 64);
		try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
			zip.write(bytes);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return out.toByteArray();
	}

	private static String gunzip(byte[] bytes) {
		try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
