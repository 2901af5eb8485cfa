// Package words writes counts for people to read: "1 image", "2 images".
package words
