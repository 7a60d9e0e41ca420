"""Generate the PDF and DOCX files of the Tallybook sample help centre.

Tallybook and Tallybook Ltd are fictional. All text below was written for the
Groundline project (see examples/LICENSE.md, CC0-1.0).

This script holds the content of the binary sample documents and writes:

    help-centre/user-guide.pdf
    help-centre/api-reference.pdf
    help-centre/privacy-policy.pdf
    help-centre/onboarding-checklist.docx
    help-centre/keyboard-shortcuts.docx

It needs fpdf2 and python-docx (``pip install fpdf2 python-docx``). They are
NOT dependencies of Groundline itself: the generated files are committed to
the repository, so nobody needs to run this script unless they want to change
the sample content. Run it from anywhere:

    python examples/make_binary_samples.py

Every new page in a PDF starts a new section, so each page holds different
facts. PDF text uses the built-in Helvetica font and therefore Latin-1
characters only (menu paths are written with ">" rather than an arrow).
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from docx import Document
from docx.shared import Pt
from fpdf import FPDF

OUT_DIR = Path(__file__).resolve().parent / "help-centre"
FIXED_DATE = _dt.datetime(2025, 3, 1, 9, 0, 0, tzinfo=_dt.timezone.utc)

# ---------------------------------------------------------------------------
# PDF content: each document is a list of pages; each page is a list of
# ("h1" | "h2" | "p" | "li", text) blocks.
# ---------------------------------------------------------------------------

USER_GUIDE = [
    [
        ("h1", "Tallybook User Guide"),
        ("p", "This guide explains the everyday areas of Tallybook that are not "
              "covered by the invoicing articles: the dashboard, customer records, "
              "the products and services catalogue, expenses and reports."),
        ("h2", "1. The dashboard"),
        ("p", "The dashboard is the first screen you see after signing in. It shows "
              "four panels: cash position, money owed to you, money you owe, and "
              "profit this month."),
        ("p", "The charts on the dashboard cover the last 90 days by default. Use the "
              "period selector in the top right corner to switch to the last 12 "
              "months or the current financial year."),
        ("p", "The money owed panel lists your five largest overdue invoices. Select "
              "any of them to open the invoice."),
        ("h2", "2. Customer records"),
        ("p", "Each customer record holds the customer's billing address, tax number, "
              "default currency and up to 5 contact people. Invoices are emailed to "
              "the contact marked as primary unless you pick someone else when sending."),
        ("p", "To send a customer a summary of everything they owe, open the customer "
              "and choose Statement. A statement lists every unpaid invoice and credit "
              "note, and can be emailed or downloaded as a PDF."),
        ("p", "Customers you no longer work with can be archived. Archived customers "
              "are hidden from lists but their invoices stay in your reports."),
    ],
    [
        ("h2", "3. Products and services catalogue"),
        ("p", "Save the things you sell in the catalogue at Sales > Products and "
              "services so you do not have to type them on every invoice. The "
              "catalogue holds up to 2,000 items. Each item has a name, a description, "
              "a default price and a default tax rate."),
        ("p", "When you change the price of a catalogue item, invoices that already use "
              "it keep the old price. Only new invoices pick up the change."),
        ("h2", "4. Expenses and receipts"),
        ("p", "Record a purchase at Purchases > Expenses > New expense. Attach a photo "
              "or PDF of the receipt so you have evidence for your accountant."),
        ("p", "You can also forward receipts by email. Send them to "
              "receipts@in.tallybook.example from the email address you use to sign in, "
              "and Tallybook creates a draft expense for each receipt. Forwarded "
              "receipts are read and turned into drafts within 10 minutes."),
        ("p", "For business journeys in your own car, record a mileage claim instead "
              "of an expense. The default mileage rate is 45p per mile, and the Owner "
              "can change it at Settings > Expenses > Mileage rate."),
    ],
    [
        ("h2", "5. Reports"),
        ("p", "The Reports area contains the profit and loss statement, the balance "
              "sheet, the aged debtors report, the aged creditors report and the VAT "
              "return. Every report can be filtered by date range and downloaded as a "
              "PDF."),
        ("p", "To receive a report automatically, open it and choose Schedule. "
              "Scheduled reports are emailed as a PDF on the 1st day of every month to "
              "the addresses you choose."),
        ("h2", "6. Locking a period"),
        ("p", "When your accountant has finished your year-end accounts, lock the "
              "period at Settings > Accounting > Lock date. Nobody can add or change "
              "transactions dated on or before the lock date. Only the Owner can move "
              "the lock date backwards."),
    ],
]

API_REFERENCE = [
    [
        ("h1", "Tallybook API Reference (version 2)"),
        ("p", "The Tallybook API lets your own software create invoices, read "
              "customers and receive notifications about payments. It is a REST API "
              "that accepts and returns JSON."),
        ("h2", "1. Base URLs"),
        ("li", "Live: https://api.tallybook.example/v2"),
        ("li", "Sandbox: https://sandbox.api.tallybook.example/v2"),
        ("p", "The sandbox holds test data only and never sends emails to real customers."),
        ("h2", "2. API keys"),
        ("p", "Create API keys at Settings > Developer > API keys. Only the Owner and "
              "Admins can create keys. A key is shown once, at the moment it is created; "
              "if you lose it, revoke it and create a new one."),
        ("p", "Live keys begin with tbk_live_ and sandbox keys begin with tbk_test_. "
              "Send the key in the Authorization header of every request, as "
              "Authorization: Bearer followed by the key."),
        ("p", "An account can have at most 5 active API keys. Keys that have not been "
              "used for 180 days are revoked automatically, and the Owner is told by "
              "email."),
    ],
    [
        ("h2", "3. Rate limits"),
        ("p", "Each live API key may make 120 requests per minute. Sandbox keys are "
              "limited to 60 requests per minute. In addition, a whole account may make "
              "no more than 50,000 live requests per day, counted from midnight UTC."),
        ("p", "Every response includes the headers X-RateLimit-Limit and "
              "X-RateLimit-Remaining. If you go over a limit, the API answers with HTTP "
              "status 429 and a Retry-After header that gives the number of seconds to "
              "wait before trying again."),
        ("h2", "4. Pagination"),
        ("p", "List endpoints return 25 records per page by default. Use the limit "
              "parameter to ask for up to 100 records per page. To get the next page, "
              "pass the value of next_cursor from the previous response as the cursor "
              "parameter. When next_cursor is null, you have reached the last page."),
    ],
    [
        ("h2", "5. Webhooks"),
        ("p", "Webhooks tell your system when something happens in Tallybook. Register "
              "an HTTPS endpoint at Settings > Developer > Webhooks and choose events "
              "such as invoice.created, invoice.paid and customer.updated."),
        ("p", "Each webhook request carries an X-Tallybook-Signature header, an "
              "HMAC-SHA256 signature of the request body made with your webhook secret. "
              "Check the signature before trusting the content."),
        ("p", "Your endpoint must reply with a 2xx status within 10 seconds. Failed "
              "deliveries are retried up to 6 times over 24 hours, with longer waits "
              "between attempts. An endpoint that keeps failing for 3 days in a row is "
              "switched off and the Owner is notified."),
        ("h2", "6. Errors"),
        ("p", "Errors use standard HTTP status codes: 400 for a malformed request, 401 "
              "for a missing or revoked key, 404 for an unknown record and 422 when a "
              "field fails validation. The body always contains an error code and a "
              "human-readable message."),
        ("p", "Questions about the API can be sent to developers@tallybook.example."),
    ],
]

PRIVACY_POLICY = [
    [
        ("h1", "Tallybook Privacy Policy"),
        ("p", "Effective from 1 March 2025."),
        ("h2", "1. Who we are"),
        ("p", "Tallybook is provided by Tallybook Ltd, a company registered in England "
              "and Wales with company number 09876543, whose registered office is at "
              "14 Ledger Lane, Bristol BS1 4XQ."),
        ("p", "Our data protection officer can be contacted at privacy@tallybook.example "
              "or by post at the address above."),
        ("h2", "2. What we collect"),
        ("li", "Account data: names, email addresses and passwords of the people who "
               "use Tallybook, and your billing details."),
        ("li", "Business data: the invoices, customers, expenses and other records you "
               "enter. For your customers' personal data you are the controller and we "
               "act as your processor."),
        ("li", "Usage data: pages visited, device and browser type, and IP address."),
        ("p", "We never sell personal data, and we do not use your business data to "
              "advertise to you or your customers."),
        ("h2", "3. Where your data is stored"),
        ("p", "Tallybook runs in data centres in Frankfurt and Dublin. All of your data "
              "is stored within the European Economic Area. Card numbers are handled by "
              "our payment processor and never stored on Tallybook servers."),
    ],
    [
        ("h2", "4. How long we keep data"),
        ("p", "We keep personal data only for as long as we need it. Our retention "
              "periods are:"),
        ("li", "Account and business data: for as long as your account is open, then "
               "deleted 90 days after the account is closed."),
        ("li", "Backups: encrypted backups are overwritten on a rolling 35-day cycle, so "
               "deleted data leaves our backups within 35 days of deletion."),
        ("li", "Server access logs: kept for 45 days."),
        ("li", "Support conversations: kept for 24 months after the ticket is closed."),
        ("li", "Records of your subscription payments: kept for 6 years to meet tax "
               "law."),
        ("li", "Marketing preferences: kept until you unsubscribe, then reduced to a "
               "record that you must not be contacted."),
    ],
    [
        ("h2", "5. Your rights"),
        ("p", "You can ask us for a copy of your personal data, ask us to correct or "
              "delete it, object to how we use it, or ask for it in a portable format. "
              "Send requests to our data protection officer. We answer every request "
              "within one month."),
        ("p", "If you are unhappy with how we have handled your data, you have the right "
              "to complain to the data protection supervisory authority."),
        ("h2", "6. Changes to this policy"),
        ("p", "If we make an important change to this policy, we will email the Owner "
              "of every account at least 14 days before the change takes effect."),
    ],
]


class _HelpPDF(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.doc_title = title
        self.set_title(title)
        self.set_author("Tallybook Ltd (fictional)")
        self.set_creation_date(FIXED_DATE)
        self.set_auto_page_break(auto=True, margin=20)
        self.set_margins(20, 20, 20)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Helvetica", size=8)
        self.cell(0, 6, f"{self.doc_title} - page {self.page_no()}", align="C")


def write_pdf(path: Path, title: str, pages: list) -> None:
    pdf = _HelpPDF(title)
    for page in pages:
        pdf.add_page()
        for kind, text in page:
            if kind == "h1":
                pdf.set_font("Helvetica", style="B", size=18)
                pdf.multi_cell(0, 10, text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
            elif kind == "h2":
                pdf.ln(2)
                pdf.set_font("Helvetica", style="B", size=13)
                pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
            elif kind == "li":
                pdf.set_font("Helvetica", size=11)
                pdf.multi_cell(0, 6, "- " + text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
            else:
                pdf.set_font("Helvetica", size=11)
                pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
    pdf.output(str(path))


# ---------------------------------------------------------------------------
# DOCX content: ("h1" | "h2" | "p" | "li", text) blocks and
# ("table", caption, header_row, rows) blocks.
# ---------------------------------------------------------------------------

ONBOARDING = [
    ("h1", "Tallybook onboarding checklist"),
    ("p", "Use this checklist in your first two weeks with Tallybook. It is written "
          "for new customers on the Team and Business plans, but most steps apply to "
          "everyone."),
    ("h2", "Your onboarding call"),
    ("p", "Team and Business customers can book a free 45-minute video call with a "
          "Tallybook onboarding specialist. The call must be booked within the first "
          "60 days of your subscription. To book, email onboarding@tallybook.example "
          "with two or three times that suit you."),
    ("p", "Before the call, have a list of your customers and your latest bank "
          "statement to hand, so the specialist can help you import them."),
    ("h2", "First-week tasks"),
    ("table", "Table 1. First-week setup tasks",
     ["Step", "Task", "Where in Tallybook", "Typical time"],
     [
         ["1", "Import your customers from a spreadsheet", "Sales → Customers → Import", "15 minutes"],
         ["2", "Enter opening balances", "Settings → Accounting → Opening balances", "30 minutes"],
         ["3", "Customise your invoice template", "Settings → Invoices → Templates", "20 minutes"],
         ["4", "Add your products and services", "Sales → Products and services", "20 minutes"],
         ["5", "Invite your accountant as a Bookkeeper", "Settings → Team → Invite", "5 minutes"],
     ]),
    ("h2", "Importing your data"),
    ("p", "Customer imports use CSV files saved with UTF-8 encoding. Each file can "
          "contain up to 5,000 rows. Download the sample file from the import screen "
          "to see which columns Tallybook expects; the name and email columns are "
          "required and every other column is optional."),
    ("p", "Set your opening balance date to the day before you start recording "
          "transactions in Tallybook. Your accountant can give you the figures from "
          "your last balance sheet."),
    ("h2", "Second-week tasks"),
    ("p", "In your second week, send a real invoice to a friendly customer, record "
          "your first few expenses and reconcile one week of bank transactions. Three "
          "weeks after you start, your onboarding specialist sends a short check-in "
          "email to see how you are getting on."),
]

SHORTCUTS = [
    ("h1", "Keyboard shortcuts"),
    ("p", "Tallybook has keyboard shortcuts for the things you do most often. Press "
          "the question mark key (?) on any screen to open the shortcut panel, which "
          "lists every shortcut."),
    ("p", "Shortcuts do not work while the cursor is in a text field; press Esc to "
          "leave the field first. On a Mac, use the Cmd key wherever this page says "
          "Ctrl."),
    ("p", "If shortcuts get in the way, for example when you use speech recognition "
          "software, turn them off at Settings → Profile → Accessibility → Keyboard "
          "shortcuts. The setting applies only to your own user."),
    ("h2", "Moving around"),
    ("p", "Navigation shortcuts are two keys pressed one after the other, not at the "
          "same time."),
    ("table", "Table 1. Navigation shortcuts",
     ["Keys", "Goes to"],
     [
         ["G then D", "Dashboard"],
         ["G then I", "Invoices list"],
         ["G then C", "Customers list"],
         ["G then E", "Expenses list"],
         ["G then R", "Reports"],
         ["/", "Search box"],
     ]),
    ("h2", "Creating new items"),
    ("table", "Table 2. Creation shortcuts",
     ["Keys", "Creates"],
     [
         ["N then I", "New invoice"],
         ["N then C", "New customer"],
         ["N then E", "New expense"],
         ["N then Q", "New quote"],
     ]),
    ("h2", "Inside an invoice"),
    ("table", "Table 3. Invoice editor shortcuts",
     ["Keys", "Action"],
     [
         ["Ctrl+S", "Save the invoice as a draft"],
         ["Ctrl+Enter", "Open the Send dialog"],
         ["Ctrl+D", "Duplicate the current line item"],
         ["Alt+Up / Alt+Down", "Move the current line item up or down"],
         ["Esc", "Close the editor without saving"],
     ]),
]


def write_docx(path: Path, title: str, blocks: list) -> None:
    doc = Document()
    doc.core_properties.title = title
    doc.core_properties.author = "Tallybook Ltd (fictional)"
    doc.core_properties.created = FIXED_DATE.replace(tzinfo=None)
    doc.core_properties.modified = FIXED_DATE.replace(tzinfo=None)
    doc.styles["Normal"].font.size = Pt(11)
    for block in blocks:
        kind = block[0]
        if kind == "h1":
            doc.add_heading(block[1], level=1)
        elif kind == "h2":
            doc.add_heading(block[1], level=2)
        elif kind == "li":
            doc.add_paragraph(block[1], style="List Bullet")
        elif kind == "p":
            doc.add_paragraph(block[1])
        elif kind == "table":
            _, caption, header, rows = block
            doc.add_paragraph(caption, style="Caption")
            table = doc.add_table(rows=1, cols=len(header))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, header):
                cell.text = text
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for row in rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row):
                    cell.text = text
            doc.add_paragraph()
        else:
            raise ValueError(f"unknown block kind {kind!r}")
    doc.save(str(path))


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    write_pdf(OUT_DIR / "user-guide.pdf", "Tallybook User Guide", USER_GUIDE)
    write_pdf(OUT_DIR / "api-reference.pdf", "Tallybook API Reference", API_REFERENCE)
    write_pdf(OUT_DIR / "privacy-policy.pdf", "Tallybook Privacy Policy", PRIVACY_POLICY)
    write_docx(OUT_DIR / "onboarding-checklist.docx", "Tallybook onboarding checklist", ONBOARDING)
    write_docx(OUT_DIR / "keyboard-shortcuts.docx", "Tallybook keyboard shortcuts", SHORTCUTS)
    for name in ("user-guide.pdf", "api-reference.pdf", "privacy-policy.pdf",
                 "onboarding-checklist.docx", "keyboard-shortcuts.docx"):
        print(f"wrote {OUT_DIR / name} ({(OUT_DIR / name).stat().st_size} bytes)")


if __name__ == "__main__":
    main()
