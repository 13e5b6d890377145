variable "name_prefix" {
  type = string
}

variable "domain_prefix" {
  description = "Prefix of the hosted sign-in domain, <prefix>.auth.<region>.amazoncognito.com; unique in the region."
  type        = string
}

variable "callback_urls" {
  description = "Where Cognito may send people back after signing in (http only for localhost)."
  type        = list(string)
  default     = ["http://localhost:8400/callback"]
}

variable "logout_urls" {
  type    = list(string)
  default = ["http://localhost:8400/"]
}

variable "deletion_protection" {
  type    = bool
  default = true
}
