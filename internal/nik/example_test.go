package nik_test

import (
	"fmt"
	"time"

	"github.com/kemensos/jaring/internal/nik"
)

func ExampleParse() {
	n, err := nik.Parse("3201014508900001")
	if err != nil {
		fmt.Println(err)
		return
	}
	ref := time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)
	fmt.Println(n.DistrictCode(), n.Sex(), n.BirthDate(ref).Format(time.DateOnly), n)

	_, err = nik.Parse("3201017208900001")
	fmt.Println(err)
	// Output:
	// 32.01.01 P 1990-08-05 3201**********01
	// day 72 is not a valid day of birth
}

func ExampleMask() {
	fmt.Println(nik.Mask("3201014508900001"))
	fmt.Println(nik.Mask("320101450890"))
	// Output:
	// 3201**********01
	// **********90
}
