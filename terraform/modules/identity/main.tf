# Who may use the API: a Cognito user pool whose groups are the app's roles, and the app client people sign in with.
# The app trusts the pool as its OIDC issuer and maps the cognito:groups claim to roles.

data "aws_region" "current" {}

resource "aws_cognito_user_pool" "this" {
  name                = "${var.name_prefix}-users"
  deletion_protection = var.deletion_protection ? "ACTIVE" : "INACTIVE"
  username_attributes = ["email"]
  mfa_configuration   = "ON"

  # Accounts are created by an administrator: nobody signs themselves up to read malware results
  admin_create_user_config {
    allow_admin_create_user_only = true
  }

  software_token_mfa_configuration {
    enabled = true
  }

  password_policy {
    minimum_length                   = 14
    require_lowercase                = true
    require_uppercase                = true
    require_numbers                  = true
    require_symbols                  = true
    temporary_password_validity_days = 3
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }
}

# The app's roles; a user's groups arrive in the cognito:groups claim of their tokens
resource "aws_cognito_user_group" "viewer" {
  user_pool_id = aws_cognito_user_pool.this.id
  name         = "viewer"
  description  = "Reads jobs and results"
  precedence   = 30
}

resource "aws_cognito_user_group" "operator" {
  user_pool_id = aws_cognito_user_pool.this.id
  name         = "operator"
  description  = "Reads, launches and stops jobs"
  precedence   = 20
}

resource "aws_cognito_user_group" "admin" {
  user_pool_id = aws_cognito_user_pool.this.id
  name         = "admin"
  description  = "Operates and manages API keys"
  precedence   = 10
}

# Cognito's hosted sign-in pages, for the authorization code flow
resource "aws_cognito_user_pool_domain" "this" {
  domain       = var.domain_prefix
  user_pool_id = aws_cognito_user_pool.this.id
}

# A public client (no secret, PKCE): the CLI and browsers sign in with the authorization code flow
resource "aws_cognito_user_pool_client" "api" {
  name                                 = "${var.name_prefix}-api"
  user_pool_id                         = aws_cognito_user_pool.this.id
  generate_secret                      = false
  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_flows                  = ["code"]
  allowed_oauth_scopes                 = ["openid", "email", "profile"]
  callback_urls                        = var.callback_urls
  logout_urls                          = var.logout_urls
  supported_identity_providers         = ["COGNITO"]
  explicit_auth_flows                  = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  prevent_user_existence_errors        = "ENABLED"
  enable_token_revocation              = true
  access_token_validity                = 60
  id_token_validity                    = 60
  refresh_token_validity               = 1

  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }
}
