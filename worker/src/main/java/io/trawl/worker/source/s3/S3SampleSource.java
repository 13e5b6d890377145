package io.trawl.worker.source.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import io.trawl.worker.source.Sample;
import io.trawl.worker.source.SampleRef;
import io.trawl.worker.source.SampleSource;
import io.trawl.worker.source.SampleSourceException;

/**
 * Samples under an S3 prefix. Locations are the object keys, in the order S3 lists them (lexicographic by UTF-8
 * bytes); keys ending in {@code /} are folder markers and skipped. Listing is paginated and lazy. Objects up to the
 * in-memory limit are read into memory, larger ones are streamed to a temporary file deleted when the sample is
 * closed, and objects over the maximum sample size are refused. Throttling and 5xx errors are retried by the
 * client's retry strategy ({@link S3ClientSettings}).
 */
public final class S3SampleSource implements SampleSource {

	public static final int DEFAULT_PAGE_SIZE = 1000;

	private final S3Client s3;
	private final S3Location location;
	private final long inMemoryLimit;
	private final long maxSampleSize;
	private final int pageSize;
	private final Path tempDir;

	public S3SampleSource(S3Client s3, S3Location location, long inMemoryLimit, long maxSampleSize) {
		this(s3, location, inMemoryLimit, maxSampleSize, DEFAULT_PAGE_SIZE, Path.of(System.getProperty("java.io.tmpdir")));
	}

	/**
	 * @param pageSize keys per ListObjectsV2 request, at most 1000
	 * @param tempDir where objects above {@code inMemoryLimit} are spooled while analysed
	 */
	public S3SampleSource(S3Client s3, S3Location location, long inMemoryLimit, long maxSampleSize, int pageSize,
			Path tempDir) {
		if (inMemoryLimit < 0 || inMemoryLimit > Integer.MAX_VALUE - 16) {
			throw new IllegalArgumentException("inMemoryLimit must be between 0 and 2 GiB, not " + inMemoryLimit);
		}
		if (maxSampleSize < 0) {
			throw new IllegalArgumentException("maxSampleSize must not be negative, not " + maxSampleSize);
		}
		if (pageSize < 1 || pageSize > 1000) {
			throw new IllegalArgumentException("pageSize must be between 1 and 1000, not " + pageSize);
		}
		this.s3 = s3;
		this.location = location;
		this.inMemoryLimit = inMemoryLimit;
		this.maxSampleSize = maxSampleSize;
		this.pageSize = pageSize;
		this.tempDir = tempDir;
	}

	@Override
	public String describe() {
		return location.toString();
	}

	/** Fetches the first page at once, so a missing bucket fails here rather than in the middle of a stream. */
	@Override
	public Stream<SampleRef> list(String afterLocation) {
		ListObjectsV2Request.Builder first = ListObjectsV2Request.builder()
			.bucket(location.bucket())
			.prefix(location.prefix())
			.maxKeys(pageSize);
		if (afterLocation != null) {
			first.startAfter(afterLocation);
		}
		Pages pages = new Pages(first.build(), listPage(first.build()));
		return StreamSupport.stream(Spliterators.spliteratorUnknownSize(pages,
				Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.DISTINCT), false)
			.flatMap(page -> page.contents().stream())
			.filter(object -> !object.key().endsWith("/"))
			.map(S3SampleSource::ref);
	}

	/**
	 * The listing's identity of an object: its ETag and size (a listing carries no version id; an overwritten object
	 * gets a new ETag unless its bytes are the same). None without an ETag.
	 */
	private static SampleRef ref(S3Object object) {
		long size = object.size() == null ? 0 : object.size();
		String identity = object.eTag() == null ? null : "etag=" + object.eTag() + ",size=" + size;
		return new SampleRef(object.key(), size, null, identity);
	}

	private ListObjectsV2Response listPage(ListObjectsV2Request request) {
		try {
			return s3.listObjectsV2(request);
		}
		catch (NoSuchBucketException e) {
			throw notReadable(e);
		}
		catch (S3Exception e) {
			if (e.statusCode() == 403 || e.statusCode() == 404 || e.statusCode() == 301) {
				throw notReadable(e);
			}
			throw new SampleSourceException("Listing " + location + " failed: " + reason(e), e);
		}
		catch (SdkException e) {
			throw new SampleSourceException("Listing " + location + " failed: " + e.getMessage(), e);
		}
	}

	private SampleSourceException notReadable(S3Exception e) {
		return new SampleSourceException("The bucket " + location.bucket() + " does not exist or is not readable "
				+ "with these credentials (" + reason(e) + "); check the source " + location + " and the bucket policy.",
				e);
	}

	@Override
	public Sample open(SampleRef ref) throws IOException {
		String key = ref.location();
		if (!key.startsWith(location.prefix())) {
			throw new IOException("The key " + key + " lies outside " + location + ".");
		}
		if (ref.size() > maxSampleSize) {
			throw tooLarge(key, ref.size());
		}
		ResponseInputStream<GetObjectResponse> body = get(key);
		try {
			Long length = body.response().contentLength();
			if (length != null && length > maxSampleSize) {
				body.abort(); // do not drain gigabytes just to close the connection politely
				throw tooLarge(key, length);
			}
			if (length != null && length <= inMemoryLimit) {
				byte[] content = body.readNBytes((int) (long) length);
				return Sample.ofBytes(key, content);
			}
			return spool(key, body);
		}
		catch (SdkException e) {
			throw new IOException("Reading " + location.uri(key) + " failed: " + e.getMessage(), e);
		}
		finally {
			body.close();
		}
	}

	private ResponseInputStream<GetObjectResponse> get(String key) throws IOException {
		try {
			return s3.getObject(b -> b.bucket(location.bucket()).key(key));
		}
		catch (NoSuchKeyException e) {
			throw new IOException("The object " + location.uri(key) + " no longer exists; it was deleted after the "
					+ "listing.", e);
		}
		catch (S3Exception e) {
			throw new IOException("The object " + location.uri(key) + " is not readable (" + reason(e) + ").", e);
		}
		catch (SdkException e) {
			throw new IOException("Reading " + location.uri(key) + " failed: " + e.getMessage(), e);
		}
	}

	/** Copies a large object to a temporary file that closing the sample deletes, counting against the maximum. */
	private Sample spool(String key, InputStream body) throws IOException {
		Path file = Files.createTempFile(tempDir, "trawl-s3-", ".sample");
		try {
			try (OutputStream out = Files.newOutputStream(file)) {
				byte[] buffer = new byte[1 << 16];
				long total = 0;
				for (int n; (n = body.read(buffer)) >= 0;) {
					total += n;
					if (total > maxSampleSize) {
						throw tooLarge(key, total);
					}
					out.write(buffer, 0, n);
				}
			}
			return Sample.ofFile(key, file, inMemoryLimit, () -> deleteQuietly(file));
		}
		catch (IOException | RuntimeException e) {
			deleteQuietly(file);
			throw e;
		}
	}

	private IOException tooLarge(String key, long size) {
		return new IOException("The object " + location.uri(key) + " is " + size + " bytes, more than the maximum "
				+ "sample size of " + maxSampleSize + " bytes; raise the maximum sample size or leave it out.");
	}

	private static void deleteQuietly(Path file) {
		try {
			Files.deleteIfExists(file);
		}
		catch (IOException e) {
			file.toFile().deleteOnExit();
		}
	}

	static String reason(S3Exception e) {
		String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
		return code == null ? "HTTP " + e.statusCode() : code + ", HTTP " + e.statusCode();
	}

	/** The listing's pages: the first already fetched, each further one fetched when the stream reaches it. */
	private final class Pages implements Iterator<ListObjectsV2Response> {

		private final ListObjectsV2Request request;
		private ListObjectsV2Response fetched;
		private String continuation;

		Pages(ListObjectsV2Request request, ListObjectsV2Response first) {
			this.request = request;
			this.fetched = first;
		}

		@Override
		public boolean hasNext() {
			if (fetched == null && continuation != null) {
				fetched = listPage(request.toBuilder().continuationToken(continuation).build());
				continuation = null;
			}
			return fetched != null;
		}

		@Override
		public ListObjectsV2Response next() {
			if (!hasNext()) {
				throw new NoSuchElementException();
			}
			ListObjectsV2Response page = fetched;
			fetched = null;
			continuation = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
			return page;
		}
	}
}
