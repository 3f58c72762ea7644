resource "aws_s3_bucket" "b" {
  acl = "public-read"
}
