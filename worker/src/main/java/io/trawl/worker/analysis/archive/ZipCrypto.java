package io.trawl.worker.analysis.archive;

import java.nio.charset.StandardCharsets;

/**
 * Decryption of traditional PKWARE zip encryption (APPNOTE 6.1, "ZipCrypto"), which {@code zip -P} writes and
 * commons-compress cannot read. Three keys are updated with a CRC-32 of each plaintext byte.
 */
final class ZipCrypto {

	private static final int[] CRC = new int[256];

	static {
		for (int n = 0; n < 256; n++) {
			int c = n;
			for (int k = 0; k < 8; k++) {
				c = (c & 1) != 0 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
			}
			CRC[n] = c;
		}
	}

	private int key0 = 0x12345678;
	private int key1 = 0x23456789;
	private int key2 = 0x34567890;

	ZipCrypto(String password) {
		for (byte b : password.getBytes(StandardCharsets.ISO_8859_1)) {
			update(b);
		}
	}

	/**
	 * Decrypts the 12-byte encryption header and checks its last byte against {@code check} (the high byte of the
	 * CRC, or of the modification time when a data descriptor follows). A false answer means a wrong password.
	 */
	boolean header(byte[] header, int check) {
		byte last = 0;
		for (int i = 0; i < 12; i++) {
			last = decrypt(header[i]);
		}
		return (last & 0xff) == (check & 0xff);
	}

	void decrypt(byte[] data, int offset, int length) {
		for (int i = offset; i < offset + length; i++) {
			data[i] = decrypt(data[i]);
		}
	}

	private byte decrypt(byte cipher) {
		int temp = (key2 | 2) & 0xffff;
		byte plain = (byte) (cipher ^ ((temp * (temp ^ 1)) >>> 8));
		update(plain);
		return plain;
	}

	private void update(byte b) {
		key0 = (key0 >>> 8) ^ CRC[(key0 ^ b) & 0xff];
		key1 = (key1 + (key0 & 0xff)) * 134775813 + 1;
		key2 = (key2 >>> 8) ^ CRC[(key2 ^ (key1 >>> 24)) & 0xff];
	}
}
