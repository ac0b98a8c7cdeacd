//! Provincial one-stop systems (Hệ thống thông tin một cửa điện tử) as lienthong partners.
