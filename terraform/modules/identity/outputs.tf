output "user_pool_id" {
  value = aws_cognito_user_pool.this.id
}

output "issuer_url" {
  description = "The OIDC issuer the app trusts (TRAWL_OIDC_ISSUER): its tokens' iss, and where its keys are found."
  value       = "https://cognito-idp.${data.aws_region.current.name}.amazonaws.com/${aws_cognito_user_pool.this.id}"
}

output "client_id" {
  value = aws_cognito_user_pool_client.api.id
}

output "sign_in_domain" {
  value = "${aws_cognito_user_pool_domain.this.domain}.auth.${data.aws_region.current.name}.amazoncognito.com"
}

output "group_names" {
  description = "The app's roles, from the cognito:groups claim."
  value = [aws_cognito_user_group.viewer.name, aws_cognito_user_group.operator.name,
  aws_cognito_user_group.admin.name]
}
