package io.trawl.jobs.local;

import java.util.Locale;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.zaxxer.hikari.HikariDataSource;

/**
 * How many pages H2 keeps read: an eighth of the heap, at most {@value #MOST_KB} KB and at least {@value #LEAST_KB}
 * KB. H2's cache holds its pages strongly up to its size, so the fixed 64 MB this replaced took half of a 128 MB heap
 * (the JVM's default in a 512 MB container). With H2's own 16 MB each night read its results from the file again
 * (bench/README.md, "Session 18"). At 64 MB the projection still read its own job's events from the file: a night's
 * look-ups of the previous job's texts (about 7 KB a sample) had pushed them out. 256 MB keeps them, and made a
 * service's nights 2 about an eighth faster ("Session 26"). A URL that names {@code CACHE_SIZE} keeps its own.
 */
@Configuration(proxyBeanMethods = false)
class H2PageCache {

	static final long MOST_KB = 256 * 1024;
	static final long LEAST_KB = 4 * 1024;

	@Bean
	static BeanPostProcessor h2PageCacheForTheHeap() {
		return new BeanPostProcessor() {
			@Override
			public Object postProcessBeforeInitialization(Object bean, String beanName) {
				if (bean instanceof HikariDataSource pool && pool.getJdbcUrl() != null) {
					pool.setJdbcUrl(url(pool.getJdbcUrl(), Runtime.getRuntime().maxMemory()));
				}
				return bean;
			}
		};
	}

	/** The URL with this heap's cache size added, when it is an H2 URL that names none. */
	static String url(String url, long maxHeapBytes) {
		if (!url.startsWith("jdbc:h2:") || url.toUpperCase(Locale.ROOT).contains(";CACHE_SIZE=")) {
			return url;
		}
		return url + ";CACHE_SIZE=" + kilobytes(maxHeapBytes);
	}

	/** An eighth of the heap in KB, within {@link #LEAST_KB} and {@link #MOST_KB}. */
	static long kilobytes(long maxHeapBytes) {
		return Math.max(LEAST_KB, Math.min(MOST_KB, maxHeapBytes / 8 / 1024));
	}
}
