package io.trawl.jobs.ui;

import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.core.Authentication;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ModelAttribute;

import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.trawl.jobs.problem.ClientErrors;
import io.trawl.jobs.security.Role;

/**
 * What every dashboard page shares: who is looking and whether they may launch and stop jobs, and one sentence
 * instead of a stack trace when something goes wrong.
 */
@ControllerAdvice(basePackageClasses = Pages.class)
class Pages {

	private static final Logger log = LoggerFactory.getLogger(Pages.class);

	private final RoleHierarchy roles;

	Pages(RoleHierarchy roles) {
		this.roles = roles;
	}

	@ModelAttribute
	void caller(Authentication caller, Model model) {
		if (caller != null) {
			model.addAttribute("callerName", caller.getName());
			model.addAttribute("operator", roles.getReachableGrantedAuthorities(caller.getAuthorities())
				.stream()
				.anyMatch(authority -> Role.OPERATOR.authority().equals(authority.getAuthority())));
		}
	}

	/** A caller's mistake (an unknown job, a bad filter) gets its sentence; anything else a generic one. */
	@ExceptionHandler(Exception.class)
	String failed(Exception e, Model model, HttpServletResponse response) {
		var kind = ClientErrors.classify(e);
		response.setStatus(kind.map(ClientErrors.Kind::status).orElse(500));
		if (kind.isEmpty()) {
			log.error("A dashboard page failed", e);
		}
		model.addAttribute("error", sentence(e));
		return "failed";
	}

	static String sentence(Exception e) {
		return ClientErrors.message(e)
			.orElse("Something went wrong on the server; the log has the details. Try again in a moment.");
	}
}
