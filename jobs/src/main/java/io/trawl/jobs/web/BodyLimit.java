package io.trawl.jobs.web;

import java.io.IOException;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Caps API request bodies ({@code trawl.api.max-body-size}) without buffering them: a declared Content-Length over
 * the cap is refused before a byte is read, and a chunked body fails as soon as it passes the cap.
 */
@Component
class BodyLimit extends OncePerRequestFilter {

	private final long max;

	BodyLimit(@Value("${trawl.api.max-body-size:64KB}") DataSize max) {
		this.max = max.toBytes();
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !request.getRequestURI().startsWith("/api/");
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (request.getContentLengthLong() > max) {
			response.setStatus(HttpStatus.CONTENT_TOO_LARGE.value());
			response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
			response.setHeader("Connection", "close"); // the body is not read, so the connection cannot be reused
			response.getWriter().write("{\"type\":\"about:blank\",\"title\":\"Content Too Large\",\"status\":413,"
					+ "\"detail\":\"" + message() + "\",\"instance\":\"" + jsonEscaped(request.getRequestURI())
					+ "\"}");
			return;
		}
		chain.doFilter(new Capped(request), response);
	}

	private String message() {
		return "The request body is larger than " + max + " bytes, the limit (trawl.api.max-body-size).";
	}

	private static String jsonEscaped(String text) {
		String cut = text.length() > 200 ? text.substring(0, 200) : text;
		StringBuilder out = new StringBuilder();
		for (char c : cut.toCharArray()) {
			if (c == '"' || c == '\\') {
				out.append('\\').append(c);
			}
			else if (c < 0x20 || c > 0x7e) {
				out.append(String.format("\\u%04x", (int) c));
			}
			else {
				out.append(c);
			}
		}
		return out.toString();
	}

	/** The body passed the cap; the API answers 413. */
	static final class TooLargeException extends IOException {
		TooLargeException(String message) {
			super(message);
		}
	}

	private final class Capped extends HttpServletRequestWrapper {

		private ServletInputStream stream;

		Capped(HttpServletRequest request) {
			super(request);
		}

		@Override
		public ServletInputStream getInputStream() throws IOException {
			if (stream == null) {
				ServletInputStream in = super.getInputStream();
				stream = new ServletInputStream() {
					private long count;

					@Override
					public int read() throws IOException {
						int b = in.read();
						if (b >= 0) {
							counted(1);
						}
						return b;
					}

					@Override
					public int read(byte[] buffer, int offset, int length) throws IOException {
						int n = in.read(buffer, offset, length);
						if (n > 0) {
							counted(n);
						}
						return n;
					}

					private void counted(int n) throws IOException {
						count += n;
						if (count > max) {
							throw new TooLargeException(message());
						}
					}

					@Override
					public boolean isFinished() {
						return in.isFinished();
					}

					@Override
					public boolean isReady() {
						return in.isReady();
					}

					@Override
					public void setReadListener(ReadListener listener) {
						in.setReadListener(listener);
					}
				};
			}
			return stream;
		}
	}
}
