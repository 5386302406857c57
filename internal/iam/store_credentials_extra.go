package iam

// What else keeps a user or role from being deleted (AWS's DeleteConflict
// checks). Numbered apart from store_counts.go's list so both can grow.
const (
	depLoginProfile dependent = 100 + iota
	depSigningCerts
	depSSHKeys
	depServiceCreds
	depInstanceProfiles
)

func init() {
	dependentCount[depLoginProfile] = `SELECT COUNT(*) FROM iam_login_profiles WHERE user_id = $1`
	dependentCount[depSigningCerts] = `SELECT COUNT(*) FROM iam_signing_certificates WHERE user_id = $1`
	dependentCount[depSSHKeys] = `SELECT COUNT(*) FROM iam_ssh_public_keys WHERE user_id = $1`
	dependentCount[depServiceCreds] = `SELECT COUNT(*) FROM iam_service_credentials WHERE user_id = $1`
	dependentCount[depInstanceProfiles] = `SELECT COUNT(*) FROM iam_instance_profiles WHERE role_id = $1`
}
