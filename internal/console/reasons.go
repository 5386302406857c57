package console

// plainReason says an ACM failure or renewal reason code in plain words.
func plainReason(code string) string {
	switch code {
	case "":
		return ""
	case "PCA_ACCESS_DENIED":
		return "The private CA refused to issue: its policy (or a RAM share) no longer lets this account's ACM service-linked role issue certificates from it."
	case "PCA_INVALID_STATE":
		return "The private CA is not active (disabled, expired, or deleted), so it cannot sign."
	case "PCA_RESOURCE_NOT_FOUND":
		return "The private CA no longer exists, or ACM's service-linked role cannot see it."
	case "PCA_INVALID_ARN":
		return "The private CA's ARN is not valid."
	case "PCA_INVALID_ARGS":
		return "The private CA rejected the request's parameters."
	case "PCA_INVALID_DURATION":
		return "The certificate would outlive the private CA's own certificate; the CA needs a longer-lived certificate first."
	case "PCA_LIMIT_EXCEEDED":
		return "The private CA's issuance quota was exceeded; the attempt will be retried."
	case "PCA_REQUEST_FAILED":
		return "The private CA could not be reached or failed; the attempt will be retried."
	case "SLR_NOT_FOUND":
		return "ACM's service-linked role (AWSServiceRoleForCertificateManager) does not exist in this account, so ACM cannot issue or renew on its behalf."
	case "OTHER":
		return "The request failed for another reason."
	}
	return code
}

// fixer says who can fix a reason (reference §6.4): the recipient account
// or the CA's owner.
func fixer(code string) string {
	switch code {
	case "":
		return ""
	case "SLR_NOT_FOUND":
		return "An administrator of this account: create the ACM service-linked role (IAM › Roles › Create ACM service-linked role)."
	case "PCA_RESOURCE_NOT_FOUND":
		return "An administrator of this account (request from an existing CA), or the CA's owner if the CA was deleted by mistake (restore it)."
	case "PCA_LIMIT_EXCEEDED", "PCA_REQUEST_FAILED":
		return "Nobody needs to act: ACM retries."
	}
	return "The CA's owner: restore the CA, its share or its policy."
}
